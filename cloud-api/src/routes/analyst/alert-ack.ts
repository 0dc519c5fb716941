import { Hono } from "hono";
import { acknowledgeAlert } from "../../alerts/alert-store.js";
import type { AppEnv } from "../../app-env.js";
import { readId } from "../json-body.js";
import type { AnalystRouteDeps } from "./index.js";

/**
 * POST /v1/alerts/{id}/ack (analyst): marks the alert seen by the calling key, now. Idempotent: a second
 * acknowledgement answers the same alert with the first one's who and when. Unknown id: 404.
 */
export function alertAckRoute(deps: AnalystRouteDeps) {
  return new Hono<AppEnv>().post("/v1/alerts/:id/ack", deps.guard, async (c) => {
    const alert = await acknowledgeAlert(deps.db, readId(c), c.get("apiKey").id);
    return c.json({ alert });
  });
}
