import { migrateCloud } from "@piwardrive/migrations";
import { Command } from "commander";
import { openCloudDb } from "../db/cloud-db.js";
import { jsonLogger } from "../logger.js";
import { configFrom, parseIntFlag, withDbOption, withRedisOptions } from "./options.js";
import { onShutdown } from "./shutdown.js";

interface WorkerFlags {
  concurrency?: number;
  db?: string;
  redis?: string;
  queuePrefix?: string;
  migrate?: boolean;
}

export function workerCommand(): Command {
  return withRedisOptions(withDbOption(new Command("worker")))
    .description("run merge workers and the landed-batch reconciler")
    .option("--concurrency <n>", "merge jobs in parallel (env PIWARDRIVE_MERGE_CONCURRENCY)", parseIntFlag)
    .option("--migrate", "apply pending migrations before starting")
    .action(async (flags: WorkerFlags) => {
      const config = configFrom(flags);
      const logger = jsonLogger();
      const db = await openCloudDb({
        db: config.db,
        authToken: config.dbAuthToken,
        busyTimeoutMs: config.busyTimeoutMs,
      });
      if (flags.migrate) await migrateCloud(db);
      const { closeRedis, createWorkerRedis } = await import("../queues/redis.js");
      const { startMergeWorker } = await import("../workers/merge-worker.js");
      const connection = createWorkerRedis(config.redisUrl, { logger, name: "merge-worker" });
      const merge = await startMergeWorker({
        db,
        connection,
        location: { prefix: config.queuePrefix },
        concurrency: flags.concurrency ?? config.mergeConcurrency,
        reconcileEveryMs: config.reconcileEveryMs,
        wireLimits: config.wireLimits,
        logger,
      });
      const { startLoadTestWorker } = await import("../loadtest/loadtest-worker.js");
      const loadtests = startLoadTestWorker({
        db,
        connection,
        location: { prefix: config.queuePrefix },
        logger,
      });
      const { startSystemSampler } = await import("../reports/system-sampler.js");
      const sampler = startSystemSampler({ db, role: "worker", logger });
      const { startDailyReports } = await import("../reports/daily-reports.js");
      const reports = await startDailyReports({
        db,
        connection,
        location: { prefix: config.queuePrefix },
        logger,
      });
      logger.info("merge worker started", { concurrency: merge.worker.opts.concurrency, db: config.db });
      onShutdown(logger, async () => {
        sampler.stop();
        await reports.close();
        await loadtests.close();
        await merge.close();
        await closeRedis(connection);
        db.close();
      });
    });
}
