import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireRole } from "../auth/api-key.js";
import { getStats } from "../services/stats.js";

/** GET /v1/stats: fleet counts (see statsResponseSchema for what each number means); analyst or higher. */
export function statsRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get("/v1/stats", requireRole(deps.db, "analyst"), async (c) =>
    c.json(await getStats(deps.db)),
  );
}
