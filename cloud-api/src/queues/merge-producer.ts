import type { Redis } from "ioredis";
import type { BatchKey } from "../services/batch-key.js";
import { FailFastQueue } from "./fail-fast-queue.js";
import { addMergeJob, createMergeQueue, type MergeQueueLocation } from "./merge-queue.js";

/**
 * Enqueues merge jobs from the HTTP process without ever waiting on Redis (FailFastQueue): while Redis is
 * down every enqueue fails at once with QueueUnavailableError.
 */
export class MergeProducer {
  readonly #queue: FailFastQueue<BatchKey>;

  constructor(redis: Redis, location: MergeQueueLocation = {}, timeoutMs = 2000) {
    this.#queue = new FailFastQueue(redis, (r) => createMergeQueue(r, location), timeoutMs);
  }

  async enqueue(key: BatchKey): Promise<void> {
    await this.#queue.run("the merge job", (queue) => addMergeJob(queue, key));
  }

  close(): Promise<void> {
    return this.#queue.close();
  }
}
