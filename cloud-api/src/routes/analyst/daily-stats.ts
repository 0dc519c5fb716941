import { Hono } from "hono";
import { parseDailyStatsQuery } from "../../analyst/daily-stats.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { JSON_TYPE, readQuery } from "./query.js";
import { dailyStatsQuerySchema } from "./schema.js";

/** GET /v1/stats/daily: per UTC day (dailyStatsQuerySchema -> dailyStatsResponseSchema). */
export function dailyStatsRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/stats/daily", deps.cachedGuard, async (c) => {
    const query = parseDailyStatsQuery(readQuery(c, dailyStatsQuerySchema), deps.now());
    return c.body(await deps.reads.json("dailyStats", query), 200, JSON_TYPE);
  });
}
