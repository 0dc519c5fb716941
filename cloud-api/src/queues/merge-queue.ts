import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { BatchKey } from "../services/batch-key.js";

/*
 * One `merge` job per landed batch (decision 7: jobs carry batches, not rows), and the job carries only
 * the batch key; the payload stays in landed_batches. The queue name is a Redis Cluster hash tag, so all
 * of the queue's keys land in one slot.
 */

export const MERGE_QUEUE_NAME = "{merge}";
export const MERGE_JOB_NAME = "merge";
export const DEFAULT_QUEUE_PREFIX = "piwardrive";

export interface MergeQueueLocation {
  /** Redis key prefix; tests use a unique one (`test-<uuid>`) and obliterate the queue afterwards. */
  prefix?: string;
  name?: string;
}

/** Retries with backoff for transient failures (busy DB); retention bounded in count and age. */
export const MERGE_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { count: 10_000, age: 24 * 3600 },
  removeOnFail: { count: 10_000, age: 7 * 24 * 3600 },
};

/**
 * The job id, derived from the batch key so the same batch is never queued twice while its job exists.
 * Each part is URI-encoded and joined with '+', which encodeURIComponent always escapes: distinct keys
 * give distinct ids even when a run id contains '-', '_' or ':' (BullMQ refuses ':' in ids).
 */
export function mergeJobId(key: BatchKey): string {
  return ["merge", key.deviceId, key.runId, String(key.batchSeq)].map(encodeURIComponent).join("+");
}

export function createMergeQueue(connection: Redis, location: MergeQueueLocation = {}): Queue<BatchKey> {
  return new Queue<BatchKey>(location.name ?? MERGE_QUEUE_NAME, {
    connection,
    prefix: location.prefix ?? DEFAULT_QUEUE_PREFIX,
    defaultJobOptions: MERGE_JOB_OPTIONS,
  });
}

/** Adds the merge job for a batch; a job with the same id already present makes this a no-op. */
export async function addMergeJob(queue: Queue<BatchKey>, key: BatchKey): Promise<void> {
  const data: BatchKey = { deviceId: key.deviceId, runId: key.runId, batchSeq: key.batchSeq };
  await queue.add(MERGE_JOB_NAME, data, { jobId: mergeJobId(key) });
}
