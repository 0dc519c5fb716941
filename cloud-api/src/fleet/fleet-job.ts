import type { Client } from "@libsql/client";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { errorFields, type Logger } from "../logger.js";
import { DEFAULT_QUEUE_PREFIX, type MergeQueueLocation } from "../queues/merge-queue.js";
import { checkFleetAlerts, type FleetCheckResult, pruneDeviceHealth } from "./fleet-alerts.js";
import type { FleetThresholds } from "./fleet-thresholds.js";

export const FLEET_QUEUE_NAME = "{fleet}";
export const FLEET_SCHEDULER_ID = "fleet-check";

export interface FleetJobResult extends FleetCheckResult {
  /** device_health and device_tracks rows past the retention, deleted. */
  pruned: number;
}

/** What one {fleet} job does: the fleet alerts, then the health retention. */
export async function runFleetCheck(
  db: Client,
  t: FleetThresholds,
  now = Date.now(),
): Promise<FleetJobResult> {
  const alerts = await checkFleetAlerts(db, t, now);
  const pruned = await pruneDeviceHealth(db, t.healthRetentionMs, now);
  return { ...alerts, pruned };
}

/**
 * The {fleet} job scheduler (upsertJobScheduler: one schedule however many workers start, each run taken by
 * one of them) and the worker that runs it, every `checkEveryMs`.
 */
export async function startFleetJob(input: {
  db: Client;
  connection: Redis;
  location?: MergeQueueLocation;
  thresholds: FleetThresholds;
  logger: Logger;
  now?: () => number;
}) {
  const prefix = input.location?.prefix ?? DEFAULT_QUEUE_PREFIX;
  const queue = new Queue(FLEET_QUEUE_NAME, { connection: input.connection, prefix });
  queue.on("error", (error) => input.logger.warn("fleet queue error", errorFields(error)));
  await queue.upsertJobScheduler(
    FLEET_SCHEDULER_ID,
    { every: input.thresholds.checkEveryMs },
    { name: "fleet-check", opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  );
  const now = input.now ?? Date.now;
  const worker = new Worker<unknown, FleetJobResult>(
    FLEET_QUEUE_NAME,
    async () => {
      const result = await runFleetCheck(input.db, input.thresholds, now());
      const raised = Object.values(result.raised).reduce((a, b) => a + b, 0);
      if (raised > 0) input.logger.info("fleet alerts raised", { ...result.raised });
      return result;
    },
    { connection: input.connection, prefix, concurrency: 1 },
  );
  worker.on("error", (error) => input.logger.warn("fleet worker error", errorFields(error)));
  worker.on("failed", (_job, error) => input.logger.error("fleet check failed", errorFields(error)));
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
