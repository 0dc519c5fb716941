import { Hono } from "hono";
import { alertCursor, parseAlertQuery } from "../../alerts/alert-query.js";
import { listAlerts } from "../../alerts/alert-store.js";
import type { AppEnv } from "../../app-env.js";
import type { AnalystRouteDeps } from "./index.js";
import { readQuery } from "./query.js";
import { alertQuerySchema } from "./schema.js";

/** GET /v1/alerts (analyst): newest first, keyset pages `{alerts, nextCursor}` (alertPageResponseSchema). */
export function alertsRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().get("/v1/alerts", deps.guard, async (c) => {
    const filter = parseAlertQuery(readQuery(c, alertQuerySchema));
    const page = await listAlerts(deps.db, filter);
    return c.json({ alerts: page.alerts, nextCursor: alertCursor(filter, page.nextBeforeId) });
  });
}
