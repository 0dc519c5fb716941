import type { Client, InStatement } from "@libsql/client";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { errorFields, type Logger } from "../logger.js";
import type { PipelineMetrics } from "../metrics/pipeline-metrics.js";
import { addMergeJob, mergeJobId } from "../queues/merge-queue.js";
import { type BatchKey, KEY_WHERE, keyArgs } from "../services/batch-key.js";
import { recordReconcilerPass } from "./reconciler-actions.js";

/** The reconciler's pass: oldest batches still waiting for their merge. */
export function landedBatchesStatement(limit: number): InStatement {
  return {
    sql: `SELECT device_id, run_id, batch_seq FROM landed_batches WHERE status = 'landed'
      ORDER BY received_at LIMIT ?`,
    args: [limit],
  };
}

export interface ReconcileResult {
  /** Landed-but-unmerged batches looked at in this pass. */
  scanned: number;
  /** Jobs added (no job existed) or revived (failed or completed job, batch still unmerged). */
  enqueued: number;
  /** The same, by what was done. */
  actions: { added: number; retried: number; replaced: number };
}

/** What ensureMergeJob did: added a job, retried a failed one, replaced a completed one, or left a live one. */
export type MergeJobAction = "added" | "retried" | "replaced" | "present";

/**
 * Makes sure an unmerged batch has a live merge job: none -> add; failed (retries exhausted, or a poison
 * batch an operator has since reset) -> retry; completed while the row still says landed -> replace.
 * Waiting, delayed and active jobs are left alone; the job id dedupes races with the API and with
 * reconcilers in other worker processes.
 */
export async function ensureMergeJob(
  db: Client,
  queue: Queue<BatchKey>,
  key: BatchKey,
): Promise<MergeJobAction> {
  const job = await queue.getJob(mergeJobId(key));
  if (job === undefined) {
    await addMergeJob(queue, key);
    return "added";
  }
  const state = await job.getState();
  // the job may have just settled the batch since the caller looked
  if ((state === "failed" || state === "completed") && !(await stillLanded(db, key))) return "present";
  if (state === "failed") {
    await job.retry("failed");
    return "retried";
  }
  if (state === "completed") {
    await job.remove();
    await addMergeJob(queue, key);
    return "replaced";
  }
  return "present";
}

/**
 * Decision 2: Redis may lose jobs (flush, failover, eviction, an enqueue that failed after landing), the
 * database does not lose batches. This finds batches still `landed` and makes sure each has a live job
 * (ensureMergeJob).
 */
export async function reconcileLandedBatches(input: {
  db: Client;
  queue: Queue<BatchKey>;
  limit?: number;
}): Promise<ReconcileResult> {
  const rs = await input.db.execute(landedBatchesStatement(input.limit ?? 5000));
  const actions = { added: 0, retried: 0, replaced: 0 };
  for (const row of rs.rows) {
    const key: BatchKey = {
      deviceId: String(row.device_id),
      runId: String(row.run_id),
      batchSeq: Number(row.batch_seq),
    };
    const action = await ensureMergeJob(input.db, input.queue, key);
    if (action !== "present") actions[action] += 1;
  }
  const enqueued = actions.added + actions.retried + actions.replaced;
  return { scanned: rs.rows.length, enqueued, actions };
}

async function stillLanded(db: Client, key: BatchKey): Promise<boolean> {
  const rs = await db.execute({
    sql: `SELECT status FROM landed_batches WHERE ${KEY_WHERE}`,
    args: [...keyArgs(key)],
  });
  return rs.rows[0]?.status === "landed";
}

export interface Reconciler {
  /** Runs one pass now (also what the timer runs). */
  runOnce(): Promise<ReconcileResult>;
  /** Stops the timer and waits for a pass in flight (so nothing is enqueued after the queue closes). */
  stop(): Promise<void>;
}

/** Runs a pass at once and then every `everyMs`; passes never overlap, failures are logged. */
export function startReconciler(input: {
  db: Client;
  queue: Queue<BatchKey>;
  everyMs: number;
  logger: Logger;
  metrics?: Pick<PipelineMetrics, "reconcilerEnqueued">;
  /** Where each pass's actions are summed for the pipeline view (see reconciler-actions.ts). */
  redis?: Redis;
}): Reconciler {
  let running: Promise<ReconcileResult> | undefined;
  const runOnce = () => {
    running ??= reconcileLandedBatches(input)
      .then(async (r) => {
        input.metrics?.reconcilerEnqueued.inc(r.enqueued);
        if (input.redis !== undefined) await recordReconcilerPass(input.redis, input.queue, r);
        return r;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const tick = () => {
    runOnce().then(
      (r) => {
        if (r.enqueued > 0) input.logger.info("reconciler enqueued landed batches", { ...r });
      },
      (error: unknown) => input.logger.warn("reconciler pass failed", errorFields(error)),
    );
  };
  tick();
  const timer = setInterval(tick, input.everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
