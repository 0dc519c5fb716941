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
  /** What the agent said about itself in the request headers (older agents send neither). */
  report?: AgentReport;
}

export interface AgentReport {
  agentVersion: string | null;
  /** Sightings still in the agent's outbox after this batch. */
  backlog: number | null;
}

/**
 * A report stands until a later batch of the device reports: later by batch_seq (the agent's own counter),
 * not by arrival, since the batches of one drain are in flight together and a bigger one lands last. A report
 * older than REPORT_ORDER_MS loses to any newer one, so a device whose database was reset (its counter
 * restarted) is not ignored for ever. A request without a value keeps the one before.
 */
export const REPORT_ORDER_MS = 3_600_000;
const later = `(excluded.reported_batch_seq >= coalesce(device_status.reported_batch_seq, -1)
    OR excluded.reported_at - coalesce(device_status.reported_at, 0) > ${REPORT_ORDER_MS})`;
const laterOrKept = (column: string) =>
  `${column} = CASE WHEN ${later} THEN coalesce(excluded.${column}, device_status.${column}) ELSE device_status.${column} END`;
const UPSERT_REPORT = `INSERT INTO device_status (device_id, agent_version, backlog, reported_at, reported_batch_seq)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (device_id) DO UPDATE SET ${laterOrKept("agent_version")}, ${laterOrKept("backlog")},
  reported_batch_seq = CASE WHEN ${later} THEN excluded.reported_batch_seq ELSE device_status.reported_batch_seq END,
  reported_at = CASE WHEN ${later} THEN excluded.reported_at ELSE device_status.reported_at END`;

/**
 * Makes a decoded batch durable in `landed_batches` before the API acknowledges it. One write transaction:
 * the insert (ON CONFLICT DO NOTHING on (device, run, batch_seq), so a resend changes nothing), the
 * device's last_seen_at and what the agent reported (version, backlog). `rowsAffected` tells a first
 * landing from a duplicate.
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
      ...(input.report === undefined || (input.report.agentVersion === null && input.report.backlog === null)
        ? []
        : [
            {
              sql: UPSERT_REPORT,
              args: [
                batch.deviceId,
                input.report.agentVersion,
                input.report.backlog,
                input.receivedAt,
                batch.batchSeq,
              ],
            },
          ]),
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
