import type { Client } from "@libsql/client";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QueueUnavailableError } from "../errors.js";
import type { BatchKey } from "../services/batch-key.js";
import type { DeliveryKey } from "./deliver-webhook.js";
import { createWebhookQueue, enqueuePendingDeliveries } from "./webhook-queue.js";

/**
 * Queues the webhook deliveries a merge wrote, from the merge worker, without ever waiting on Redis (the
 * same shape as MergeProducer): on a fail-fast connection, the Queue built only once it is ready, each call
 * bounded by `timeoutMs`. When Redis is down the call fails at once and the deliveries stay pending rows,
 * which the webhook worker's sweep sends later.
 */
export class DeliveryProducer {
  #queue: Queue<DeliveryKey> | undefined;

  constructor(
    readonly db: Client,
    readonly redis: Redis,
    readonly prefix: string,
    readonly timeoutMs = 2000,
  ) {}

  /** How many deliveries of this batch's alerts were queued. */
  async queueBatch(key: BatchKey): Promise<number> {
    if (this.redis.status !== "ready") {
      throw new QueueUnavailableError(`redis is not connected (${this.redis.status})`);
    }
    if (this.#queue === undefined) {
      this.#queue = createWebhookQueue(this.redis, { prefix: this.prefix });
      this.#queue.on("error", () => {}); // the connection's own listener logs
    }
    const queue = this.#queue;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        enqueuePendingDeliveries(this.db, queue, { batch: key }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      this.#queue = undefined;
      void queue.close().catch(() => {});
      throw new QueueUnavailableError(
        `redis could not take the deliveries: ${error instanceof Error ? error.message : String(error)}`,
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
