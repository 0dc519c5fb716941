import type { Client, InValue } from "@libsql/client";
import type { JobType, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { BatchKey } from "../services/batch-key.js";
import { type ReconcilerActions, readReconcilerActions } from "../workers/reconciler-actions.js";

/*
 * The operator's view of the pipeline: BullMQ's job counts per queue and state, and from landed_batches (the
 * durable truth, whatever Redis says) the merge rate and lag over the last 5 and 60 minutes, the oldest
 * batch still waiting, and the failed batches with their reasons; the reconcilers' summed actions from
 * Redis. Redis being down does not hide the database's figures: `queues` is then null with the reason.
 */

export interface MergeWindow {
  minutes: number;
  batches: number;
  sightings: number;
  batchesPerMinute: number;
  sightingsPerSecond: number;
  /** Landing to merged, nearest-rank percentiles; null when nothing merged in the window. */
  lagMs: { p50: number | null; p95: number | null; max: number | null };
}

export interface FailedBatch {
  deviceId: string;
  runId: string;
  batchSeq: number;
  receivedAt: string;
  failedAt: string | null;
  observations: number;
  reason: string;
}

export interface PipelineView {
  at: string;
  queues: Array<{ name: string; counts: Record<string, number> }> | null;
  queuesError: string | null;
  merge: { last5m: MergeWindow; last60m: MergeWindow };
  unmerged: { batches: number; oldestReceivedAt: string | null; oldestAgeMs: number | null };
  failed: { batches: number; latest: FailedBatch[] };
  reconciler: ReconcilerActions | null;
}

const STATES: JobType[] = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "completed",
  "failed",
];
const FAILED_SHOWN = 50;
const REDIS_BUDGET_MS = 3000;

async function one(db: Client, sql: string, args: InValue[] = []) {
  return (await db.execute({ sql, args })).rows[0];
}

async function mergeWindow(db: Client, now: number, minutes: number): Promise<MergeWindow> {
  const since = now - minutes * 60_000;
  const merged = "status = 'merged' AND merged_at >= ?";
  const totals = await one(
    db,
    `SELECT count(*) AS n, coalesce(sum(inserted_count), 0) AS s FROM landed_batches WHERE ${merged}`,
    [since],
  );
  const n = Number(totals?.n ?? 0);
  const lagAt = async (p: number) => {
    if (n === 0) return null;
    const row = await one(
      db,
      `SELECT merged_at - received_at AS lag FROM landed_batches WHERE ${merged} ORDER BY lag LIMIT 1 OFFSET ?`,
      [since, Math.max(0, Math.ceil(p * n) - 1)],
    );
    return row === undefined ? null : Number(row.lag);
  };
  const sightings = Number(totals?.s ?? 0);
  return {
    minutes,
    batches: n,
    sightings,
    batchesPerMinute: n / minutes,
    sightingsPerSecond: sightings / (minutes * 60),
    lagMs: { p50: await lagAt(0.5), p95: await lagAt(0.95), max: await lagAt(1) },
  };
}

/** Resolves or rejects within `ms`: a view must not hang on a Redis that does not answer. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function getPipelineView(
  db: Client,
  input: { queues: readonly Queue[]; mergeQueue: Queue<BatchKey> | undefined; redis: Redis; now: number },
): Promise<PipelineView> {
  const { now } = input;
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
  const oldest = await one(
    db,
    "SELECT count(*) AS n, min(received_at) AS oldest FROM landed_batches WHERE status = 'landed'",
  );
  const failedCount = await one(db, "SELECT count(*) AS n FROM landed_batches WHERE status = 'failed'");
  const failed = await db.execute({
    sql: `SELECT device_id, run_id, batch_seq, received_at, merged_at, observation_count, error FROM landed_batches
      WHERE status = 'failed' ORDER BY received_at DESC LIMIT ?`,
    args: [FAILED_SHOWN],
  });
  let queues: PipelineView["queues"] = null;
  let queuesError: string | null = null;
  let reconciler: ReconcilerActions | null = null;
  try {
    queues = await within(
      Promise.all(input.queues.map(async (q) => ({ name: q.name, counts: await q.getJobCounts(...STATES) }))),
      REDIS_BUDGET_MS,
    );
    if (input.mergeQueue !== undefined)
      reconciler = await within(readReconcilerActions(input.redis, input.mergeQueue), REDIS_BUDGET_MS);
  } catch (error) {
    queuesError = error instanceof Error ? error.message : String(error);
  }
  const oldestAt = oldest?.oldest === null || oldest?.oldest === undefined ? null : Number(oldest.oldest);
  return {
    at: new Date(now).toISOString(),
    queues,
    queuesError,
    merge: { last5m: await mergeWindow(db, now, 5), last60m: await mergeWindow(db, now, 60) },
    unmerged: {
      batches: Number(oldest?.n ?? 0),
      oldestReceivedAt: iso(oldestAt),
      oldestAgeMs: oldestAt === null ? null : Math.max(0, now - oldestAt),
    },
    failed: {
      batches: Number(failedCount?.n ?? 0),
      latest: failed.rows.map((r) => ({
        deviceId: String(r.device_id),
        runId: String(r.run_id),
        batchSeq: Number(r.batch_seq),
        receivedAt: iso(r.received_at) ?? "",
        failedAt: iso(r.merged_at),
        observations: Number(r.observation_count),
        reason: String(r.error ?? ""),
      })),
    },
    reconciler,
  };
}
