import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * One store for every alert the cloud raises: about a network (encryption downgrade, SSID or channel change,
 * evil-twin candidate, watchlist hit) or a device (fleet health). A condition raises one alert: its
 * `dedupe_key` is unique, so a replayed batch or a re-run job raises nothing new. The batch that raised it
 * is kept (device_id, run_id, batch_seq) with its evidence (the sightings, as JSON).
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type").notNull(),
    severity: text("severity").notNull(),
    /** `network` (subject_id = MAC) or `device` (subject_id = device id). */
    subjectKind: text("subject_kind").notNull(),
    subjectId: text("subject_id").notNull(),
    ssid: text("ssid"),
    lat: real("lat"),
    lon: real("lon"),
    raisedAt: integer("raised_at").notNull(),
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
    clearedAt: integer("cleared_at"),
    dedupeKey: text("dedupe_key").notNull(),
    /** JSON: what was known, what was seen, and up to 10 of the sightings that raised it. */
    evidence: text("evidence").notNull(),
    watchlistId: integer("watchlist_id"),
    deviceId: text("device_id"),
    runId: text("run_id"),
    batchSeq: integer("batch_seq"),
  },
  (t) => [
    uniqueIndex("alerts_dedupe_idx").on(t.dedupeKey),
    index("alerts_subject_idx").on(t.subjectKind, t.subjectId, t.id),
    index("alerts_type_idx").on(t.type, t.id),
    index("alerts_batch_idx").on(t.deviceId, t.runId, t.batchSeq),
    index("alerts_ssid_idx").on(t.ssid),
  ],
);

/** What analysts watch for: an SSID (exact or a `*`/`?` pattern, case-insensitive), a MAC, an OUI prefix. */
export const watchlist = sqliteTable("watchlist", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** ssid | ssid_pattern | mac | oui */
  type: text("type").notNull(),
  /** As given; `match` is the normalised form the merge compares with (lower-case MAC / OUI / pattern). */
  value: text("value").notNull(),
  match: text("match").notNull(),
  note: text("note"),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by"),
});

/**
 * Where alerts are POSTed: one for every alert (`watchlist_id` null) or one watchlist entry's hits. The
 * secret signs each body (HMAC-SHA256); it is shown once when the hook is made.
 */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    url: text("url").notNull(),
    secret: text("secret").notNull(),
    watchlistId: integer("watchlist_id"),
    createdAt: integer("created_at").notNull(),
    disabledAt: integer("disabled_at"),
  },
  (t) => [index("webhooks_watchlist_idx").on(t.watchlistId)],
);

/** The outbox of webhook calls: written in the merge's transaction, sent by the {webhooks} job. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    alertId: integer("alert_id").notNull(),
    webhookId: integer("webhook_id").notNull(),
    /** pending | delivered | failed */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.webhookId] }),
    index("webhook_deliveries_pending_idx").on(t.status, t.createdAt).where(sql`status = 'pending'`),
  ],
);
