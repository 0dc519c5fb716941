import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The outbox cursor per cloud target. acked_seq moves only after the cloud answered 2xx. */
export const syncState = sqliteTable("sync_state", {
  target: text("target").primaryKey(),
  ackedSeq: integer("acked_seq").notNull().default(0),
  nextBatchSeq: integer("next_batch_seq").notNull().default(1),
  lastSuccessAt: integer("last_success_at"),
  lastErrorAt: integer("last_error_at"),
  lastError: text("last_error"),
  nextAttemptAt: integer("next_attempt_at"),
  updatedAt: integer("updated_at").notNull(),
});

export type SyncStateRow = typeof syncState.$inferSelect;
