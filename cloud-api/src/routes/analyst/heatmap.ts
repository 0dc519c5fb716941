import { Hono } from "hono";
import { parseHeatmapQuery } from "../../analyst/heatmap-query.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { JSON_TYPE, readQuery } from "./query.js";
import { heatmapQuerySchema } from "./schema.js";

/** GET /v1/heatmap: geohash cells of a bbox as GeoJSON (heatmapQuerySchema -> heatmapResponseSchema). */
export function heatmapRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/heatmap", deps.cachedGuard, async (c) => {
    const query = parseHeatmapQuery(readQuery(c, heatmapQuerySchema), deps.now());
    return c.body(await deps.reads.json("heatmap", query), 200, JSON_TYPE);
  });
}
