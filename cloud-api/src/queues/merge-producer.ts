import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QueueUnavailableError } from "../errors.js";
import type { BatchKey } from "../services/batch-key.js";
import { addMergeJob, createMergeQueue, type MergeQueueLocation } from "./merge-queue.js";

/**
 * Enqueues merge jobs from the HTTP process without ever waiting on Redis.
 *
 * The BullMQ Queue is created lazily, only once the fail-fast connection is ready: a Queue built while
 * Redis is down either waits for it forever (its init awaits "ready") or, told not to wait, fails its
 * init for good. While Redis is down every enqueue fails at once with QueueUnavailableError; after a
 * failure the Queue is rebuilt on the next call.
 */
export class MergeProducer {
  readonly redis: Redis;
  readonly location: MergeQueueLocation;
  readonly timeoutMs: number;
  #queue: Queue<BatchKey> | undefined;

  constructor(redis: Redis, location: MergeQueueLocation = {}, timeoutMs = 2000) {
    this.redis = redis;
    this.location = location;
    this.timeoutMs = timeoutMs;
  }

  async enqueue(key: BatchKey): Promise<void> {
    if (this.redis.status !== "ready") {
      throw new QueueUnavailableError(`redis is not connected (${this.redis.status})`);
    }
    if (this.#queue === undefined) {
      const queue = createMergeQueue(this.redis, this.location);
      queue.on("error", () => {}); // the connection's own listener logs; keep EventEmitter from throwing
      this.#queue = queue;
    }
    const queue = this.#queue;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        addMergeJob(queue, key),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      this.#queue = undefined;
      void queue.close().catch(() => {});
      throw new QueueUnavailableError(
        `redis could not take the merge job: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const queue = this.#queue;
    this.#queue = undefined;
    await queue?.close().catch(() => {});
  }
}
