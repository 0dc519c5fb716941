import { Hono } from "hono";
import { parseNetworkQuery } from "../../analyst/network-filters.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { JSON_TYPE, readQuery } from "./query.js";
import { networkSearchQuerySchema } from "./schema.js";

/** GET /v1/networks: filtered, keyset-paged search (networkSearchQuerySchema -> networkSearchResponseSchema). */
export function networksRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/networks", deps.cachedGuard, async (c) => {
    const query = parseNetworkQuery(readQuery(c, networkSearchQuerySchema));
    return c.body(await deps.reads.json("searchNetworks", query), 200, JSON_TYPE);
  });
}
