import { Hono } from "hono";
import { z } from "zod";
import { ApiError } from "../../api-error.js";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import type { StatementStats } from "../../db/statement-stats.js";

const querySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(20) });

/**
 * GET /v1/ops/slow-queries?limit=20 (operator): this API process's statement statistics since it started,
 * the `top` statements by total time and the `slowest` by maximum, each with count, mean, p95, max, rows,
 * how often it passed the slow threshold and its query plan (see db/statement-stats.ts). Every replica
 * answers for itself; the worker's statements are in its logs and `doctor`.
 */
export function slowQueriesRoute(deps: AppDeps, statements: StatementStats) {
  return new Hono<AppEnv>().get("/v1/ops/slow-queries", requireRole(deps.db, "operator"), (c) => {
    const parsed = querySchema.safeParse(c.req.query());
    if (!parsed.success) {
      throw new ApiError(400, "invalid_argument", "limit must be an integer from 1 to 500");
    }
    return c.json(statements.report(parsed.data.limit));
  });
}
