import type { BlockList } from "node:net";
import type { Client, Row } from "@libsql/client";
import { NotFoundError } from "../errors.js";
import { newWebhookSecret } from "./webhook-signature.js";
import { resolveWebhookTarget } from "./webhook-target.js";

export interface Webhook {
  id: number;
  url: string;
  /** null: every alert; otherwise the hits of this watchlist entry. */
  watchlistId: number | null;
  createdAt: string;
  disabledAt: string | null;
}

/** A new hook, with its signing secret: the only time the secret is shown. */
export async function createWebhook(
  db: Client,
  hook: { url: string; watchlistId: number | null },
  allow: BlockList,
  now = Date.now(),
): Promise<Webhook & { secret: string }> {
  const target = await resolveWebhookTarget(hook.url, allow);
  const secret = newWebhookSecret();
  const rs = await db.execute({
    sql: "INSERT INTO webhooks (url, secret, watchlist_id, created_at) VALUES (?, ?, ?, ?) RETURNING *",
    args: [target.url.href, secret, hook.watchlistId, now],
  });
  return { ...toWebhook(rs.rows[0] as Row), secret };
}

export async function listWebhooks(db: Client): Promise<Webhook[]> {
  return (await db.execute("SELECT * FROM webhooks ORDER BY id")).rows.map(toWebhook);
}

export async function disableWebhook(db: Client, id: number, now = Date.now()): Promise<void> {
  const rs = await db.execute({
    sql: "UPDATE webhooks SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?",
    args: [now, id],
  });
  if (rs.rowsAffected === 0) throw new NotFoundError(`no webhook ${id}`);
}

export interface Delivery {
  alertId: number;
  webhookId: number;
  url: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Deliveries newest first, for operators: what was sent where, and what went wrong. */
export async function listDeliveries(
  db: Client,
  options: { status?: string; limit: number },
): Promise<Delivery[]> {
  const rs = await db.execute({
    sql: `SELECT d.*, w.url FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      ${options.status === undefined ? "" : "WHERE d.status = ?"} ORDER BY d.created_at DESC, d.alert_id DESC LIMIT ?`,
    args: options.status === undefined ? [options.limit] : [options.status, options.limit],
  });
  return rs.rows.map((r) => ({
    alertId: Number(r.alert_id),
    webhookId: Number(r.webhook_id),
    url: String(r.url),
    status: String(r.status),
    attempts: Number(r.attempts),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error === null ? null : String(r.last_error),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    deliveredAt: r.delivered_at === null ? null : new Date(Number(r.delivered_at)).toISOString(),
  }));
}

function toWebhook(r: Row): Webhook {
  return {
    id: Number(r.id),
    url: String(r.url),
    watchlistId: r.watchlist_id === null ? null : Number(r.watchlist_id),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    disabledAt: r.disabled_at === null ? null : new Date(Number(r.disabled_at)).toISOString(),
  };
}
