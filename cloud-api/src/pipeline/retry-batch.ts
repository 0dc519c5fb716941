import type { Client } from "@libsql/client";
import type { Queue } from "bullmq";
import { type BatchKey, KEY_WHERE, keyArgs } from "../services/batch-key.js";
import { ensureMergeJob, type MergeJobAction } from "../workers/reconciler.js";

export type RetryOutcome =
  | { status: "not_found" }
  | { status: "not_failed"; current: string }
  /** `job`: what was done in Redis; `reconciler` when Redis could not be reached (its next pass queues it). */
  | { status: "requeued"; job: MergeJobAction | "reconciler"; reason?: string };

/**
 * Puts a failed batch back to `landed` (its reason cleared) and makes sure it has a live merge job, for an
 * operator who fixed what made it fail (a code fix deployed, disk freed). The row changes first: even if Redis
 * is down the reconciler then finds it. Only a `failed` batch: merged or still landed ones are left alone.
 */
export async function retryFailedBatch(
  db: Client,
  queue: Queue<BatchKey> | undefined,
  key: BatchKey,
): Promise<RetryOutcome> {
  const reset = await db.execute({
    sql: `UPDATE landed_batches SET status = 'landed', error = NULL, merged_at = NULL
      WHERE ${KEY_WHERE} AND status = 'failed'`,
    args: [...keyArgs(key)],
  });
  if (reset.rowsAffected === 0) {
    const rs = await db.execute({
      sql: `SELECT status FROM landed_batches WHERE ${KEY_WHERE}`,
      args: [...keyArgs(key)],
    });
    const row = rs.rows[0];
    return row === undefined
      ? { status: "not_found" }
      : { status: "not_failed", current: String(row.status) };
  }
  if (queue === undefined) return { status: "requeued", job: "reconciler" };
  try {
    return { status: "requeued", job: await ensureMergeJob(db, queue, key) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { status: "requeued", job: "reconciler", reason };
  }
}
