import type { Client } from "@libsql/client";
import type { Redis } from "ioredis";
import { FailFastQueue } from "../queues/fail-fast-queue.js";
import type { BatchKey } from "../services/batch-key.js";
import type { DeliveryKey } from "./deliver-webhook.js";
import { createWebhookQueue, enqueuePendingDeliveries } from "./webhook-queue.js";

/**
 * Queues the webhook deliveries a merge wrote, from the merge worker, without ever waiting on Redis
 * (FailFastQueue, as MergeProducer). When Redis is down the call fails at once and the deliveries stay
 * pending rows, which the webhook worker's sweep sends later.
 */
export class DeliveryProducer {
  readonly #queue: FailFastQueue<DeliveryKey>;

  constructor(
    readonly db: Client,
    redis: Redis,
    prefix: string,
    timeoutMs = 2000,
  ) {
    this.#queue = new FailFastQueue(redis, (r) => createWebhookQueue(r, { prefix }), timeoutMs);
  }

  /** How many deliveries of this batch's alerts were queued. */
  queueBatch(key: BatchKey): Promise<number> {
    return this.#queue.run("the deliveries", (queue) =>
      enqueuePendingDeliveries(this.db, queue, { batch: key }),
    );
  }

  close(): Promise<void> {
    return this.#queue.close();
  }
}
