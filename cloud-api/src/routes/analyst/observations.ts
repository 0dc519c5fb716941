import { Hono } from "hono";
import { parseObservationQuery } from "../../analyst/observation-filters.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { JSON_TYPE, readQuery } from "./query.js";
import { observationQuerySchema } from "./schema.js";

/** GET /v1/observations: the fleet's sightings by bbox, time, device, mac and kind, keyset-paged. */
export function observationsRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/observations", deps.cachedGuard, async (c) => {
    const query = parseObservationQuery(readQuery(c, observationQuerySchema));
    return c.body(await deps.reads.json("searchObservations", query), 200, JSON_TYPE);
  });
}
