import type { Client } from "@libsql/client";
import type { WireLimits } from "@piwardrive/shared-schema/wire";
import { type Job, type Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { AlertRules } from "../alerts/alert-rules.js";
import type { DeliveryProducer } from "../alerts/delivery-producer.js";
import { type DomainError, NotFoundError, PoisonBatchError } from "../errors.js";
import { errorFields, type Logger } from "../logger.js";
import { observeMerge, type PipelineMetrics } from "../metrics/pipeline-metrics.js";
import { createMergeQueue, MERGE_QUEUE_NAME, type MergeQueueLocation } from "../queues/merge-queue.js";
import { type BatchKey, batchKeySchema } from "../services/batch-key.js";
import { type MergeOutcome, mergeBatch } from "../services/merge-batch.js";
import { type HistoryPruner, startHistoryPruner } from "./history-pruner.js";
import { type Reconciler, startReconciler } from "./reconciler.js";

export interface MergeWorkerOptions {
  db: Client;
  /** A worker connection (maxRetriesPerRequest: null, see queues/redis.ts); the caller closes it. */
  connection: Redis;
  location?: MergeQueueLocation;
  concurrency?: number;
  reconcileEveryMs?: number;
  /** How often network_history is pruned (default 10 minutes). */
  pruneHistoryEveryMs?: number;
  wireLimits?: WireLimits;
  /** device_health / device_tracks retention: older samples in a batch are not stored. */
  healthRetentionMs?: number;
  logger: Logger;
  /** Merge timings, lag and reconciler counts go here; undefined records nothing. */
  metrics?: PipelineMetrics;
  now?: () => number;
  /** The network alert rules (default DEFAULT_ALERT_RULES). */
  alertRules?: AlertRules;
  /**
   * Queues the webhook deliveries a merge wrote (on a fail-fast connection). Absent: they stay pending
   * until the webhook worker's sweep finds them.
   */
  webhooks?: DeliveryProducer;
}

export interface MergeWorker {
  worker: Worker<BatchKey, MergeOutcome>;
  /** A queue handle on the same queue, used by the reconciler. */
  queue: Queue<BatchKey>;
  reconciler: Reconciler;
  historyPruner: HistoryPruner;
  /** Stops the reconciler and the history pruner, lets active jobs finish (worker.close()), then closes the queue handle. */
  close(): Promise<void>;
}

/**
 * The job processor: a thin wrapper mapping domain errors to BullMQ's retry / no-retry. With a logger,
 * each merge writes one line carrying the batch key (deviceId, runId, batchSeq) and the job id.
 */
export function mergeProcessor(
  options: Pick<
    MergeWorkerOptions,
    "db" | "wireLimits" | "now" | "metrics" | "alertRules" | "webhooks" | "healthRetentionMs"
  > & {
    logger?: Logger;
  },
) {
  return async (job: Pick<Job<BatchKey>, "data"> & { id?: string | undefined }): Promise<MergeOutcome> => {
    const key = batchKeySchema.safeParse(job.data);
    if (!key.success) throw new UnrecoverableError(`malformed job data: ${key.error.message}`);
    const log = options.logger?.child({ ...key.data, jobId: job.id });
    const started = performance.now();
    try {
      const outcome = await mergeBatch({
        db: options.db,
        key: key.data,
        ...(options.wireLimits === undefined ? {} : { limits: options.wireLimits }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.alertRules === undefined ? {} : { alertRules: options.alertRules }),
        ...(options.healthRetentionMs === undefined ? {} : { healthRetentionMs: options.healthRetentionMs }),
      });
      const durationMs = performance.now() - started;
      if (options.metrics !== undefined) observeMerge(options.metrics, outcome, durationMs);
      log?.info("batch merged", {
        status: outcome.status,
        inserted: outcome.insertedCount,
        durationMs: Math.round(durationMs * 100) / 100,
      });
      if (outcome.status === "merged" && outcome.insertedCount > 0 && options.webhooks !== undefined) {
        queueDeliveries(options.webhooks, key.data, options.logger);
      }
      return outcome;
    } catch (error) {
      if (options.metrics !== undefined) observeMerge(options.metrics, error, performance.now() - started);
      // A poison batch (already marked failed) or a key with no landed row will never succeed.
      if (error instanceof PoisonBatchError || error instanceof NotFoundError) {
        throw new UnrecoverableError(`${(error as DomainError).code}: ${error.message}`);
      }
      throw error;
    }
  };
}

/**
 * Queues the webhook deliveries the merge just wrote, without waiting: the merge is committed and its job
 * must not wait on (or fail because of) Redis. Whatever this misses stays pending and the sweep sends it.
 */
function queueDeliveries(webhooks: DeliveryProducer, key: BatchKey, logger?: Logger): void {
  webhooks.queueBatch(key).catch((error) =>
    logger?.warn("webhook deliveries not queued; the sweep will send them", {
      ...key,
      ...errorFields(error),
    }),
  );
}

/** Starts a merge worker plus the reconciler (a pass at start, then periodically). */
export async function startMergeWorker(options: MergeWorkerOptions): Promise<MergeWorker> {
  const { logger } = options;
  const location = options.location ?? {};
  const queue = createMergeQueue(options.connection, location);
  queue.on("error", (error) => logger.warn("merge queue error", errorFields(error)));
  const worker = new Worker<BatchKey, MergeOutcome>(
    location.name ?? MERGE_QUEUE_NAME,
    mergeProcessor(options),
    {
      connection: options.connection,
      prefix: queue.opts.prefix,
      concurrency: options.concurrency ?? 2,
      // A merge takes well under a second; a worker that died mid-merge should be noticed in seconds, not
      // after BullMQ's default 30 s lock, so its batch is merged again promptly (idempotently).
      lockDuration: 10_000,
      stalledInterval: 5_000,
    },
  );
  worker.on("error", (error) => logger.warn("merge worker error", errorFields(error)));
  worker.on("failed", (job, error) =>
    logger.warn("merge job failed", {
      ...job?.data,
      jobId: job?.id,
      attempts: job?.attemptsMade,
      ...errorFields(error),
    }),
  );
  await worker.waitUntilReady();
  const reconciler = startReconciler({
    db: options.db,
    queue,
    everyMs: options.reconcileEveryMs ?? 60_000,
    logger,
    redis: options.connection,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const historyPruner = startHistoryPruner({
    db: options.db,
    everyMs: options.pruneHistoryEveryMs ?? 10 * 60_000,
    logger,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    worker,
    queue,
    reconciler,
    historyPruner,
    async close() {
      await historyPruner.stop();
      await reconciler.stop();
      await worker.close();
      await queue.close();
    },
  };
}
