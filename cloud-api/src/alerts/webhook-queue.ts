import type { BlockList } from "node:net";
import type { Client } from "@libsql/client";
import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { errorFields, type Logger } from "../logger.js";
import { type DeliveryKey, deliverWebhook, markDeliveryFailed } from "./deliver-webhook.js";

/*
 * `{webhooks}`: one job per pending delivery (the outbox rows the merge wrote), retried with exponential
 * backoff. The merge never waits for a receiver: it only writes rows; this queue sends them. The job id is
 * the delivery key, so a delivery is queued once however often it is swept.
 */
export const WEBHOOK_QUEUE_NAME = "{webhooks}";

export interface WebhookQueueOptions {
  prefix?: string;
  attempts?: number;
  /** First retry delay; doubles each time. */
  backoffMs?: number;
}

export function createWebhookQueue(connection: Redis, options: WebhookQueueOptions = {}): Queue<DeliveryKey> {
  return new Queue<DeliveryKey>(WEBHOOK_QUEUE_NAME, {
    connection,
    prefix: options.prefix ?? "piwardrive",
    defaultJobOptions: {
      attempts: options.attempts ?? 8,
      backoff: { type: "exponential", delay: options.backoffMs ?? 2000 },
      removeOnComplete: { count: 10_000, age: 24 * 3600 },
      removeOnFail: { count: 10_000, age: 7 * 24 * 3600 },
    },
  });
}

const jobId = (k: DeliveryKey) => `delivery+${k.alertId}+${k.webhookId}`;

/** Queues every pending delivery (of one batch's alerts, or all older than `olderThan` for the sweep). */
export async function enqueuePendingDeliveries(
  db: Client,
  queue: Queue<DeliveryKey>,
  which: { batch: { deviceId: string; runId: string; batchSeq: number } } | { olderThan: number },
): Promise<number> {
  const rs =
    "batch" in which
      ? await db.execute({
          sql: `SELECT d.alert_id, d.webhook_id FROM webhook_deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE a.device_id = ? AND a.run_id = ? AND a.batch_seq = ? AND d.status = 'pending'`,
          args: [which.batch.deviceId, which.batch.runId, which.batch.batchSeq],
        })
      : await db.execute({
          sql: "SELECT alert_id, webhook_id FROM webhook_deliveries WHERE status = 'pending' AND created_at < ? LIMIT 1000",
          args: [which.olderThan],
        });
  const keys = rs.rows.map((r) => ({ alertId: Number(r.alert_id), webhookId: Number(r.webhook_id) }));
  if (keys.length > 0)
    await queue.addBulk(keys.map((k) => ({ name: "deliver", data: k, opts: { jobId: jobId(k) } })));
  return keys.length;
}

export interface WebhookWorkerOptions {
  db: Client;
  connection: Redis;
  queue: WebhookQueueOptions;
  allow: BlockList;
  timeoutMs?: number;
  /** How often pending deliveries the merge worker did not queue (it died in between) are swept. */
  sweepEveryMs?: number;
  logger: Logger;
}

export interface WebhookWorker {
  worker: Worker<DeliveryKey>;
  queue: Queue<DeliveryKey>;
  close(): Promise<void>;
}

export async function startWebhookWorker(options: WebhookWorkerOptions): Promise<WebhookWorker> {
  const { db, logger } = options;
  const queue = createWebhookQueue(options.connection, options.queue);
  const worker = new Worker<DeliveryKey>(
    WEBHOOK_QUEUE_NAME,
    async (job: Job<DeliveryKey>) => {
      const { alertId, webhookId } = job.data;
      if (!Number.isSafeInteger(alertId) || !Number.isSafeInteger(webhookId))
        throw new UnrecoverableError("malformed delivery job");
      return deliverWebhook(db, job.data, { allow: options.allow, timeoutMs: options.timeoutMs ?? 10_000 });
    },
    { connection: options.connection, prefix: queue.opts.prefix, concurrency: 4 },
  );
  worker.on("error", (error) => logger.warn("webhook worker error", errorFields(error)));
  worker.on("failed", (job, error) => {
    if (job === undefined) return;
    logger.warn("webhook delivery failed", {
      ...job.data,
      attempts: job.attemptsMade,
      ...errorFields(error),
    });
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) void markDeliveryFailed(db, job.data);
  });
  await worker.waitUntilReady();
  const every = options.sweepEveryMs ?? 30_000;
  const sweep = setInterval(() => {
    enqueuePendingDeliveries(db, queue, { olderThan: Date.now() - every }).catch((error) =>
      logger.warn("webhook sweep failed", errorFields(error)),
    );
  }, every);
  sweep.unref();
  return {
    worker,
    queue,
    async close() {
      clearInterval(sweep);
      await worker.close();
      await queue.close();
    },
  };
}
