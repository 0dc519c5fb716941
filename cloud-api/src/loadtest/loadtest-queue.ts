import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { DEFAULT_QUEUE_PREFIX, type MergeQueueLocation } from "../queues/merge-queue.js";

/** One job per API-started load test; the job carries only the run's id (the row holds the request). */
export const LOADTEST_QUEUE_NAME = "{loadtest}";
export const LOADTEST_JOB_NAME = "loadtest";

export interface LoadTestJob {
  runId: string;
}

export function createLoadTestQueue(
  connection: Redis,
  location: MergeQueueLocation = {},
): Queue<LoadTestJob> {
  return new Queue<LoadTestJob>(LOADTEST_QUEUE_NAME, {
    connection,
    prefix: location.prefix ?? DEFAULT_QUEUE_PREFIX,
    // A load test is not retried: a second attempt would measure a different moment under a stale request.
    defaultJobOptions: { attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
  });
}
