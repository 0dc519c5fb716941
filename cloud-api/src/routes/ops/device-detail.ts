import { Hono } from "hono";
import { parseTime } from "../../analyst/query-params.js";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { getDeviceDetail } from "../../fleet/device-view.js";
import { DEFAULT_FLEET_THRESHOLDS } from "../../fleet/fleet-thresholds.js";
import { readQuery } from "../analyst/query.js";
import { deviceDetailQuerySchema } from "./fleet-schema.js";

/** The range when none is given: the last day. */
const DEFAULT_RANGE_MS = 86_400_000;

/**
 * GET /v1/devices/{id}?since=&until= (operator): the device as in /v1/devices, with its health samples and
 * track in [since, until) (ISO 8601 or epoch ms; default the last day), oldest first, capped per series.
 */
export function deviceDetailRoute(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  const staleAfterMs = deps.fleet?.staleAfterMs ?? DEFAULT_FLEET_THRESHOLDS.staleAfterMs;
  return new Hono<AppEnv>().get("/v1/devices/:id", requireRole(deps.db, "operator"), async (c) => {
    const params = readQuery(c, deviceDetailQuerySchema);
    const at = now();
    const until = parseTime("until", params.until) ?? at;
    const since = parseTime("since", params.since) ?? until - DEFAULT_RANGE_MS;
    const detail = await getDeviceDetail(
      deps.db,
      c.req.param("id"),
      { since, until },
      { now: at, staleAfterMs },
    );
    return c.json(detail);
  });
}
