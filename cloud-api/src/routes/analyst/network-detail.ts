import { Hono } from "hono";
import { parseTransmitterId } from "../../analyst/query-params.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { JSON_TYPE, readQuery } from "./query.js";
import { networkDetailQuerySchema } from "./schema.js";

/** GET /v1/networks/{mac}: the network, its SSID history and its devices (networkDetailResponseSchema). */
export function networkDetailRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/networks/:mac", deps.cachedGuard, async (c) => {
    readQuery(c, networkDetailQuerySchema);
    const mac = parseTransmitterId("mac", c.req.param("mac")) ?? "";
    return c.body(await deps.reads.json("networkDetail", mac), 200, JSON_TYPE);
  });
}
