import { Hono } from "hono";
import { parseObservationQuery } from "../../analyst/observation-filters.js";
import { parseTransmitterId } from "../../analyst/query-params.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { JSON_TYPE, readQuery } from "./query.js";
import { networkObservationQuerySchema } from "./schema.js";

/** GET /v1/networks/{mac}/observations: one transmitter's sightings, keyset-paged. */
export function networkObservationsRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/networks/:mac/observations", deps.cachedGuard, async (c) => {
    const mac = parseTransmitterId("mac", c.req.param("mac")) ?? "";
    const query = parseObservationQuery(readQuery(c, networkObservationQuerySchema), mac);
    return c.body(await deps.reads.json("searchObservations", query), 200, JSON_TYPE);
  });
}
