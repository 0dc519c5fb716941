import type { Client } from "@libsql/client";
import type { DeltaBatch } from "@piwardrive/shared-schema/wire";
import { type BatchKey, KEY_WHERE, keyArgs } from "./batch-key.js";

export type LandedStatus = "landed" | "merged" | "failed";

export type LandOutcome =
  | { status: "accepted"; key: BatchKey }
  | {
      status: "duplicate";
      key: BatchKey;
      /** What became of the first copy: a `landed` one still needs its merge job. */
      stored: LandedStatus;
      /** The first copy covered other seqs: an edge bug or a reused run id; logged, not refused. */
      rangeDiffers: boolean;
    };

export interface LandBatchInput {
  batch: DeltaBatch;
  /** The compressed body exactly as received (re-decoded by the merge worker). */
  payload: Uint8Array;
  contentEncoding: string;
  receivedAt: number;
}

/**
 * Makes a decoded batch durable in `landed_batches` before the API acknowledges it. One write transaction:
 * the insert (ON CONFLICT DO NOTHING on (device, run, batch_seq), so a resend changes nothing) and the
 * device's last_seen_at. `rowsAffected` tells a first landing from a duplicate.
 */
export async function landBatch(db: Client, input: LandBatchInput): Promise<LandOutcome> {
  const { batch } = input;
  const key: BatchKey = { deviceId: batch.deviceId, runId: batch.runId, batchSeq: batch.batchSeq };
  const [insert] = await db.batch(
    [
      {
        sql: `INSERT INTO landed_batches (device_id, run_id, batch_seq, status, first_seq, last_seq,
            observation_count, payload, content_encoding, received_at)
          VALUES (?, ?, ?, 'landed', ?, ?, ?, ?, ?, ?)
          ON CONFLICT (device_id, run_id, batch_seq) DO NOTHING`,
        args: [
          ...keyArgs(key),
          batch.firstSeq,
          batch.lastSeq,
          batch.observations.length,
          input.payload,
          input.contentEncoding,
          input.receivedAt,
        ],
      },
      {
        sql: "UPDATE devices SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?",
        args: [input.receivedAt, batch.deviceId],
      },
    ],
    "write",
  );
  if (insert !== undefined && insert.rowsAffected === 1) return { status: "accepted", key };

  const rs = await db.execute({
    sql: `SELECT status, first_seq, last_seq FROM landed_batches WHERE ${KEY_WHERE}`,
    args: [...keyArgs(key)],
  });
  const row = rs.rows[0];
  return {
    status: "duplicate",
    key,
    stored: (row?.status ?? "landed") as LandedStatus,
    rangeDiffers: row !== undefined && (row.first_seq !== batch.firstSeq || row.last_seq !== batch.lastSeq),
  };
}
