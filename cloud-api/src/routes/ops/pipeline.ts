import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { getPipelineView } from "../../pipeline/pipeline-view.js";

/**
 * GET /v1/ops/pipeline (operator): queue counts per state, merge rate and lag p50/p95 over the last 5 and 60
 * minutes, the oldest unmerged batch, failed batches with reasons, the reconcilers' actions.
 */
export function pipelineRoute(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  return new Hono<AppEnv>().get("/v1/ops/pipeline", requireRole(deps.db, "operator"), async (c) =>
    c.json(
      await getPipelineView(deps.db, {
        queues: deps.boardQueues ?? [],
        mergeQueue: deps.mergeQueue,
        redis: deps.redis,
        now: now(),
      }),
    ),
  );
}
