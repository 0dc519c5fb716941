import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The outbox cursors per cloud target. acked_seq moves only after the cloud answered 2xx, and only to the
 * end of the longest acknowledged prefix of planned batches (see sync_batches); the GPS fix and health
 * sample cursors (row ids) move with it.
 */
export const syncState = sqliteTable("sync_state", {
  target: text("target").primaryKey(),
  ackedSeq: integer("acked_seq").notNull().default(0),
  ackedFixId: integer("acked_fix_id").notNull().default(0),
  ackedHealthId: integer("acked_health_id").notNull().default(0),
  nextBatchSeq: integer("next_batch_seq").notNull().default(1),
  lastSuccessAt: integer("last_success_at"),
  lastErrorAt: integer("last_error_at"),
  lastError: text("last_error"),
  /** Consecutive failed uploads: the backoff exponent, kept across restarts. */
  failures: integer("failures").notNull().default(0),
  /** Set when the cloud refused a batch for good (4xx): sync stops there until it is resolved. */
  blockedBatchSeq: integer("blocked_batch_seq"),
  nextAttemptAt: integer("next_attempt_at"),
  updatedAt: integer("updated_at").notNull(),
});

export type SyncStateRow = typeof syncState.$inferSelect;

/**
 * Planned batches not yet in the acknowledged prefix. A plan is committed (durably) before its first
 * upload and resent unchanged until acknowledged, so a batch key (device, run, batch_seq) always names
 * the same rows: observations run_id = run_id AND seq BETWEEN first_seq AND last_seq, GPS fixes with
 * id in (fix_after_id, fix_last_id], health samples with id in (health_after_id, health_last_id].
 */
export const syncBatches = sqliteTable(
  "sync_batches",
  {
    target: text("target").notNull(),
    batchSeq: integer("batch_seq").notNull(),
    runId: text("run_id").notNull(),
    firstSeq: integer("first_seq").notNull(),
    lastSeq: integer("last_seq").notNull(),
    observationCount: integer("observation_count").notNull(),
    fixAfterId: integer("fix_after_id").notNull(),
    fixLastId: integer("fix_last_id").notNull(),
    healthAfterId: integer("health_after_id").notNull(),
    healthLastId: integer("health_last_id").notNull(),
    plannedAt: integer("planned_at").notNull(),
    /** Set on 2xx; the row is deleted once every earlier batch is acknowledged too. */
    ackedAt: integer("acked_at"),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.target, t.batchSeq] })],
);

export type SyncBatchRow = typeof syncBatches.$inferSelect;
