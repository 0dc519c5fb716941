import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Batches as they arrived, committed before the ingest answers 202. The merge job carries only this key;
 * the reconciler re-enqueues rows still `landed` after Redis lost their jobs.
 */
export const landedBatches = sqliteTable(
  "landed_batches",
  {
    deviceId: text("device_id").notNull(),
    runId: text("run_id").notNull(),
    batchSeq: integer("batch_seq").notNull(),
    /** landed | merged | failed */
    status: text("status").notNull(),
    firstSeq: integer("first_seq").notNull(),
    lastSeq: integer("last_seq").notNull(),
    observationCount: integer("observation_count").notNull(),
    /**
     * The compressed body exactly as received. Emptied (zero bytes) by the maintenance job's retention
     * once the batch is merged and old enough: a merged batch is answered from its status, never re-read.
     */
    payload: blob("payload", { mode: "buffer" }).notNull(),
    /** When retention emptied `payload` (null while it is kept). */
    payloadDroppedAt: integer("payload_dropped_at"),
    /** The body's Content-Encoding (gzip | br): the merge worker needs it to decode `payload`. */
    contentEncoding: text("content_encoding").notNull().default("gzip"),
    receivedAt: integer("received_at").notNull(),
    mergedAt: integer("merged_at"),
    insertedCount: integer("inserted_count"),
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.runId, t.batchSeq] }),
    index("landed_batches_status_idx").on(t.status, t.receivedAt),
    /** The pipeline view's merge rate and lag over the last minutes. */
    index("landed_batches_merged_idx").on(t.mergedAt),
    // retention's walk: merged batches whose payload is still kept, oldest first
    index("landed_batches_payload_kept_idx")
      .on(t.receivedAt)
      .where(sql`status = 'merged' AND payload_dropped_at IS NULL`),
  ],
);
