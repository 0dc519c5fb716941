import type { Client } from "@libsql/client";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { errorFields, type Logger } from "../logger.js";
import { DEFAULT_QUEUE_PREFIX, type MergeQueueLocation } from "../queues/merge-queue.js";
import { type MaintenanceOptions, type MaintenanceResult, runMaintenance } from "./run-maintenance.js";

export const MAINTENANCE_QUEUE_NAME = "{maintenance}";
export const MAINTENANCE_SCHEDULER_ID = "maintenance";
/** maintenance_runs rows kept. */
export const KEEP_MAINTENANCE_RUNS = 100;

export interface MaintenanceRun {
  startedAt: string;
  durationMs: number;
  status: "ok" | "failed";
  result: MaintenanceResult | { error: string };
}

/** Runs one pass and records it in maintenance_runs (failed too, with the error), keeping the newest. */
export async function runAndRecordMaintenance(
  options: MaintenanceOptions,
  logger: Logger,
): Promise<MaintenanceRun> {
  const startedAt = options.now ?? Date.now();
  let run: MaintenanceRun;
  try {
    const result = await runMaintenance({ ...options, now: startedAt });
    run = {
      startedAt: new Date(startedAt).toISOString(),
      durationMs: result.durationMs,
      status: "ok",
      result,
    };
    logger.info("maintenance done", {
      durationMs: result.durationMs,
      optimizeMs: result.optimize.ms,
      checkpoint: result.checkpoint,
      payloadsDropped: result.retention.payloadsDropped,
      bytesDropped: result.retention.bytesDropped,
      vacuumed: result.vacuum.ran,
      freePercent: result.vacuum.freePercent,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    run = {
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      status: "failed",
      result: { error: message },
    };
    logger.error("maintenance failed", errorFields(error));
  }
  await options.db.batch(
    [
      {
        sql: "INSERT INTO maintenance_runs (started_at, duration_ms, status, result) VALUES (?, ?, ?, ?)",
        args: [startedAt, run.durationMs, run.status, JSON.stringify(run.result)],
      },
      {
        sql: "DELETE FROM maintenance_runs WHERE id <= (SELECT max(id) FROM maintenance_runs) - ?",
        args: [KEEP_MAINTENANCE_RUNS],
      },
    ],
    "write",
  );
  if (run.status === "failed")
    throw new Error(`maintenance failed: ${(run.result as { error: string }).error}`);
  return run;
}

/** The newest recorded run, or undefined before the first. */
export async function lastMaintenanceRun(db: Client): Promise<MaintenanceRun | undefined> {
  const rs = await db.execute(
    "SELECT started_at, duration_ms, status, result FROM maintenance_runs ORDER BY id DESC LIMIT 1",
  );
  const row = rs.rows[0];
  if (row === undefined) return undefined;
  return {
    startedAt: new Date(Number(row.started_at)).toISOString(),
    durationMs: Number(row.duration_ms),
    status: row.status === "ok" ? "ok" : "failed",
    result: JSON.parse(String(row.result)) as MaintenanceRun["result"],
  };
}

/**
 * The {maintenance} job scheduler (upsertJobScheduler: one schedule however many workers start, and
 * concurrency 1 per worker; a pass is cheap to repeat if two workers ever overlap) and its worker.
 */
export async function startMaintenance(input: {
  connection: Redis;
  location?: MergeQueueLocation;
  logger: Logger;
  everyMs: number;
  options: MaintenanceOptions;
}) {
  const prefix = input.location?.prefix ?? DEFAULT_QUEUE_PREFIX;
  const queue = new Queue(MAINTENANCE_QUEUE_NAME, { connection: input.connection, prefix });
  queue.on("error", (error) => input.logger.warn("maintenance queue error", errorFields(error)));
  await queue.upsertJobScheduler(
    MAINTENANCE_SCHEDULER_ID,
    { every: input.everyMs },
    { name: "maintenance", opts: { removeOnComplete: { count: 20 }, removeOnFail: { count: 20 } } },
  );
  const worker = new Worker(
    MAINTENANCE_QUEUE_NAME,
    async () => {
      await runAndRecordMaintenance(input.options, input.logger);
    },
    // VACUUM of a large file can take minutes: a long lock, so a slow pass is not taken for a stalled one
    { connection: input.connection, prefix, concurrency: 1, lockDuration: 300_000 },
  );
  worker.on("error", (error) => input.logger.warn("maintenance worker error", errorFields(error)));
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
