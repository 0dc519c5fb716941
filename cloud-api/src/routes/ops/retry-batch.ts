import { Hono } from "hono";
import { ApiError } from "../../api-error.js";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { retryFailedBatch } from "../../pipeline/retry-batch.js";
import { batchKeySchema } from "../../services/batch-key.js";

/**
 * POST /v1/ops/batches/{device}/{run}/{seq}/retry (operator): re-queues a failed batch after a fix.
 * 202 with what was done; 404 for an unknown batch; 409 when it is not failed (merged or still waiting).
 */
export function retryBatchRoute(deps: AppDeps) {
  return new Hono<AppEnv>().post(
    "/v1/ops/batches/:device/:run/:seq/retry",
    requireRole(deps.db, "operator"),
    async (c) => {
      const seq = c.req.param("seq");
      const key = batchKeySchema.safeParse({
        deviceId: c.req.param("device"),
        runId: c.req.param("run"),
        batchSeq: /^\d{1,15}$/.test(seq) ? Number(seq) : Number.NaN,
      });
      if (!key.success) {
        const field = String(key.error.issues[0]?.path[0] ?? "batch");
        throw new ApiError(400, "invalid_argument", `${field}: not a valid batch key part`);
      }
      const outcome = await retryFailedBatch(deps.db, deps.mergeQueue, key.data);
      if (outcome.status === "not_found") throw new ApiError(404, "not_found", "no such landed batch");
      if (outcome.status === "not_failed")
        throw new ApiError(409, "not_failed", `the batch is ${outcome.current}, not failed`);
      return c.json({ ...key.data, ...outcome }, 202);
    },
  );
}
