import { Hono } from "hono";
import { ApiError } from "../../api-error.js";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { listDeviceViews } from "../../fleet/device-view.js";
import { DEFAULT_FLEET_THRESHOLDS } from "../../fleet/fleet-thresholds.js";

/** GET /v1/devices (operator): every device with its last contact, backlog, agent, latest health, position, stale. */
export function devicesRoute(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  const staleAfterMs = deps.fleet?.staleAfterMs ?? DEFAULT_FLEET_THRESHOLDS.staleAfterMs;
  return new Hono<AppEnv>().get("/v1/devices", requireRole(deps.db, "operator"), async (c) => {
    const unknown = Object.keys(c.req.queries());
    if (unknown.length > 0) throw new ApiError(400, "invalid_argument", `parameter "${unknown[0]}": unknown`);
    const devices = await listDeviceViews(deps.db, { now: now(), staleAfterMs });
    return c.json({ devices, staleAfterMs });
  });
}
