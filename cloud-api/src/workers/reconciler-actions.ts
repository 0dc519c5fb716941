import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { BatchKey } from "../services/batch-key.js";

/*
 * What the reconcilers did, summed over every worker process: a Redis hash beside the merge queue's own
 * keys (`<prefix>:{merge}:reconciler`, the same hash tag, so the same Cluster slot), incremented after each
 * pass. The pipeline view reads it. Counters, not a log: they only grow (a Redis flush resets them).
 */

export interface ReconcilerActions {
  passes: number;
  scanned: number;
  added: number;
  retried: number;
  replaced: number;
  /** Epoch ms of the last pass any process finished; null before the first. */
  lastPassAt: number | null;
}

const key = (queue: Queue<BatchKey>) => queue.toKey("reconciler");

export async function recordReconcilerPass(
  redis: Redis,
  queue: Queue<BatchKey>,
  pass: { scanned: number; actions: { added: number; retried: number; replaced: number } },
  now = Date.now(),
): Promise<void> {
  const k = key(queue);
  await redis
    .multi()
    .hincrby(k, "passes", 1)
    .hincrby(k, "scanned", pass.scanned)
    .hincrby(k, "added", pass.actions.added)
    .hincrby(k, "retried", pass.actions.retried)
    .hincrby(k, "replaced", pass.actions.replaced)
    .hset(k, "lastPassAt", now)
    .exec();
}

export async function readReconcilerActions(
  redis: Redis,
  queue: Queue<BatchKey>,
): Promise<ReconcilerActions> {
  const h = await redis.hgetall(key(queue));
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v));
  return {
    passes: n(h.passes),
    scanned: n(h.scanned),
    added: n(h.added),
    retried: n(h.retried),
    replaced: n(h.replaced),
    lastPassAt: h.lastPassAt === undefined ? null : Number(h.lastPassAt),
  };
}
