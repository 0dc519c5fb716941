import type { BlockList } from "node:net";
import type { Client } from "@libsql/client";
import { Agent, request } from "undici";
import { type Alert, listAlerts } from "./alert-store.js";
import { SIGNATURE_HEADER, signBody } from "./webhook-signature.js";
import { resolveWebhookTarget } from "./webhook-target.js";

export interface DeliveryKey {
  alertId: number;
  webhookId: number;
}

export type DeliveryResult = { status: "delivered" | "skipped"; httpStatus?: number };

/** A delivery that failed and should be retried (BullMQ's backoff), with what went wrong. */
export class DeliveryFailed extends Error {}

/**
 * Sends one pending delivery: the alert as JSON, signed with the hook's secret, POSTed to the address the
 * URL resolved to when checked just now. 2xx marks it delivered; anything else records the attempt and
 * throws DeliveryFailed so the job is retried with backoff. A delivery already done, or whose hook was
 * disabled, is skipped.
 */
export async function deliverWebhook(
  db: Client,
  key: DeliveryKey,
  options: { allow: BlockList; timeoutMs: number; now?: () => number },
): Promise<DeliveryResult> {
  const now = options.now ?? Date.now;
  const rs = await db.execute({
    sql: `SELECT d.status, w.url, w.secret, w.disabled_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.alert_id = ? AND d.webhook_id = ?`,
    args: [key.alertId, key.webhookId],
  });
  const row = rs.rows[0];
  if (row === undefined || row.status !== "pending" || row.disabled_at !== null) return { status: "skipped" };
  const alert = (await listAlerts(db, { beforeId: key.alertId + 1, limit: 1 })).alerts[0] as Alert;
  const body = JSON.stringify({ alert, webhookId: key.webhookId, sentAt: new Date(now()).toISOString() });
  let httpStatus: number | null = null;
  let failure: string | null = null;
  try {
    const target = await resolveWebhookTarget(String(row.url), options.allow);
    const dispatcher = new Agent({ connect: { lookup: pinnedLookup(target.address, target.family) } });
    try {
      const res = await request(target.url, {
        method: "POST",
        dispatcher,
        headers: {
          "content-type": "application/json",
          "user-agent": "piwardrive-cloud-webhook",
          [SIGNATURE_HEADER]: signBody(String(row.secret), body, now()),
        },
        body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      await res.body.dump();
      httpStatus = res.statusCode;
      if (httpStatus < 200 || httpStatus >= 300) failure = `HTTP ${httpStatus}`;
    } finally {
      await dispatcher.close();
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  await db.execute({
    sql: `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?,
      status = CASE WHEN ? THEN 'delivered' ELSE status END, delivered_at = CASE WHEN ? THEN ? END
      WHERE alert_id = ? AND webhook_id = ?`,
    args: [httpStatus, failure, failure === null, failure === null, now(), key.alertId, key.webhookId],
  });
  if (failure !== null) throw new DeliveryFailed(failure);
  return { status: "delivered", httpStatus: httpStatus ?? 0 };
}

/** After the last retry: the delivery stays visible as failed. */
export async function markDeliveryFailed(db: Client, key: DeliveryKey): Promise<void> {
  await db.execute({
    sql: "UPDATE webhook_deliveries SET status = 'failed' WHERE alert_id = ? AND webhook_id = ? AND status = 'pending'",
    args: [key.alertId, key.webhookId],
  });
}

type LookupDone = (
  error: Error | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void;

/** A dns.lookup stand-in that answers the checked address whatever the name (net calls it with or without `all`). */
function pinnedLookup(address: string, family: 4 | 6) {
  return (_host: string, options: { all?: boolean }, done: LookupDone) => {
    if (options.all === true) done(null, [{ address, family }]);
    else done(null, address, family);
  };
}
