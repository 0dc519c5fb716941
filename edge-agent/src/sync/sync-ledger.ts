import type { Row } from "@libsql/client";
import type { EdgeStore } from "../store/edge-store.js";

/** The boundaries of one batch, fixed before its first upload (see sync_batches in shared-schema). */
export interface BatchPlan {
  batchSeq: number;
  runId: string;
  firstSeq: number;
  lastSeq: number;
  observationCount: number;
  fixAfterId: number;
  fixLastId: number;
  healthAfterId: number;
  healthLastId: number;
}

export interface PlannedBatch extends BatchPlan {
  ackedAt: number | null;
  attempts: number;
}

export interface SyncState {
  ackedSeq: number;
  ackedFixId: number;
  ackedHealthId: number;
  nextBatchSeq: number;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  failures: number;
  blockedBatchSeq: number | null;
  nextAttemptAt: number | null;
}

const STATE_COLUMNS = `acked_seq AS ackedSeq, acked_fix_id AS ackedFixId, acked_health_id AS ackedHealthId,
  next_batch_seq AS nextBatchSeq, last_success_at AS lastSuccessAt, last_error_at AS lastErrorAt,
  last_error AS lastError, failures, blocked_batch_seq AS blockedBatchSeq, next_attempt_at AS nextAttemptAt`;

const PLAN_COLUMNS = `batch_seq AS batchSeq, run_id AS runId, first_seq AS firstSeq, last_seq AS lastSeq,
  observation_count AS observationCount, fix_after_id AS fixAfterId, fix_last_id AS fixLastId,
  health_after_id AS healthAfterId, health_last_id AS healthLastId, acked_at AS ackedAt, attempts`;

/** The first batch not yet acknowledged: everything below it is the acknowledged prefix. */
const PREFIX_END = `COALESCE((SELECT min(batch_seq) FROM sync_batches WHERE target = ?1 AND acked_at IS NULL),
  9007199254740991)`;

const plain = <T>(row: Row): T => Object.fromEntries(Object.entries(row)) as T;

/** A SQL literal for a script without parameters: safe integers as digits, text as a UTF-8 hex blob. */
function literal(value: string | number): string {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    return String(value);
  }
  return `CAST(X'${Buffer.from(value, "utf8").toString("hex")}' AS TEXT)`;
}

/** sync_state and sync_batches for one cloud target: the outbox's durable memory. */
export class SyncLedger {
  readonly target: string;
  #store: EdgeStore;
  #now: () => number;

  constructor(store: EdgeStore, target: string, now: () => number = Date.now) {
    this.#store = store;
    this.target = target;
    this.#now = now;
  }

  async state(): Promise<SyncState> {
    await this.#store.execute({
      sql: "INSERT OR IGNORE INTO sync_state (target, updated_at) VALUES (?, ?)",
      args: [this.target, this.#now()],
    });
    const rs = await this.#store.execute({
      sql: `SELECT ${STATE_COLUMNS} FROM sync_state WHERE target = ?`,
      args: [this.target],
    });
    return plain<SyncState>(rs.rows[0] as Row);
  }

  /** Planned batches not yet in the acknowledged prefix, in batch order. */
  async plans(): Promise<PlannedBatch[]> {
    const rs = await this.#store.execute({
      sql: `SELECT ${PLAN_COLUMNS} FROM sync_batches WHERE target = ? ORDER BY batch_seq`,
      args: [this.target],
    });
    return rs.rows.map((r) => plain<PlannedBatch>(r));
  }

  /**
   * Records a plan before its first upload; false if another process planned this batch_seq first.
   * The commit runs with synchronous=FULL: in WAL mode that fsyncs the WAL, making the plan and every
   * row committed before it durable. A power cut can then never undo a plan whose batch the cloud may
   * already hold, so (device, run, batch_seq) can never come to name different rows: the cloud would
   * answer `duplicate` for rows it never saw. Acks need no such care: a lost ack means a resend of the
   * same plan, which the cloud answers as a duplicate.
   *
   * The pragma, the transaction and the restore go as ONE script (executeScript) on the store's single
   * connection, so no other statement of this process (a maintenance pragma check, say) can run between
   * them; a script that fails part-way is rolled back, and the store reconnects (tuned again).
   */
  async commitPlan(plan: BatchPlan): Promise<boolean> {
    const values = [
      this.target,
      plan.batchSeq,
      plan.runId,
      plan.firstSeq,
      plan.lastSeq,
      plan.observationCount,
      plan.fixAfterId,
      plan.fixLastId,
      plan.healthAfterId,
      plan.healthLastId,
      this.#now(),
    ].map(literal);
    const tuned = this.#store.tuning.synchronous;
    await this.#store.executeScript(`PRAGMA synchronous=FULL;
      BEGIN IMMEDIATE;
      INSERT OR IGNORE INTO sync_batches (target, batch_seq, run_id, first_seq, last_seq, observation_count,
        fix_after_id, fix_last_id, health_after_id, health_last_id, planned_at) VALUES (${values.join(", ")});
      UPDATE sync_state SET next_batch_seq = max(next_batch_seq, ${literal(plan.batchSeq + 1)}),
        updated_at = ${values[10]} WHERE target = ${values[0]} AND changes() = 1;
      COMMIT;
      PRAGMA synchronous=${tuned};`);
    const stored = (await this.plans()).find((p) => p.batchSeq === plan.batchSeq);
    return (
      stored !== undefined &&
      stored.runId === plan.runId &&
      stored.firstSeq === plan.firstSeq &&
      stored.lastSeq === plan.lastSeq &&
      stored.fixLastId === plan.fixLastId &&
      stored.healthLastId === plan.healthLastId
    );
  }

  async countAttempt(batchSeq: number): Promise<void> {
    await this.#store.execute({
      sql: "UPDATE sync_batches SET attempts = attempts + 1 WHERE target = ? AND batch_seq = ?",
      args: [this.target, batchSeq],
    });
  }

  /**
   * Marks a batch acknowledged (2xx) and moves the cursors to the end of the acknowledged prefix, in one
   * transaction. A batch acknowledged out of order waits (acked_at set) until the ones before it are.
   */
  async acknowledge(batchSeq: number): Promise<void> {
    const now = this.#now();
    const args = [this.target, now, batchSeq];
    await this.#store.batch([
      { sql: "UPDATE sync_batches SET acked_at = ?2 WHERE target = ?1 AND batch_seq = ?3", args },
      {
        sql: `WITH prefix AS (SELECT * FROM sync_batches
            WHERE target = ?1 AND acked_at IS NOT NULL AND batch_seq < ${PREFIX_END})
          UPDATE sync_state SET
            acked_seq = max(acked_seq, COALESCE((SELECT max(last_seq) FROM prefix), 0)),
            acked_fix_id = max(acked_fix_id, COALESCE((SELECT max(fix_last_id) FROM prefix), 0)),
            acked_health_id = max(acked_health_id, COALESCE((SELECT max(health_last_id) FROM prefix), 0)),
            blocked_batch_seq = CASE WHEN blocked_batch_seq = ?3 THEN NULL ELSE blocked_batch_seq END,
            last_success_at = ?2, failures = 0, next_attempt_at = NULL, updated_at = ?2
          WHERE target = ?1`,
        args,
      },
      {
        sql: `DELETE FROM sync_batches WHERE target = ?1 AND acked_at IS NOT NULL AND batch_seq < ${PREFIX_END}`,
        args: [this.target],
      },
    ]);
  }

  /** A failed round: the backoff exponent, the error, and when to try again (persisted for restarts). */
  async recordFailure(message: string, failures: number, nextAttemptAt: number | null): Promise<void> {
    const now = this.#now();
    await this.#store.execute({
      sql: `UPDATE sync_state SET failures = ?, last_error = ?, last_error_at = ?, next_attempt_at = ?,
        updated_at = ? WHERE target = ?`,
      args: [failures, message, now, nextAttemptAt, now, this.target],
    });
  }

  /** The cloud refused a batch for good: stop there and say so in sync_state (shown by `status`). */
  async block(batchSeq: number | null, message: string): Promise<void> {
    const now = this.#now();
    await this.#store.execute({
      sql: `UPDATE sync_state SET blocked_batch_seq = ?, last_error = ?, last_error_at = ?, updated_at = ?
        WHERE target = ?`,
      args: [batchSeq, message, now, now, this.target],
    });
  }
}
