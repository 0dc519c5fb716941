import { migrateCloud } from "@piwardrive/migrations";
import type { Queue } from "bullmq";
import { Command } from "commander";
import { openCloudDb, toDbUrl } from "../db/cloud-db.js";
import { loggableUrl } from "../logger.js";
import { configFrom, parseIntFlag, withDbOption, withRedisOptions } from "./options.js";
import { onShutdown } from "./shutdown.js";

interface WorkerFlags {
  concurrency?: number;
  db?: string;
  redis?: string;
  queuePrefix?: string;
  migrate?: boolean;
  metricsPort?: number;
}

export function workerCommand(): Command {
  return withRedisOptions(withDbOption(new Command("worker")))
    .description(
      "run merge workers, the landed-batch reconciler, webhook deliveries and the scheduled jobs (reports, fleet, maintenance)",
    )
    .option("--concurrency <n>", "merge jobs in parallel (env PIWARDRIVE_MERGE_CONCURRENCY)", parseIntFlag)
    .option("--migrate", "apply pending migrations before starting")
    .option(
      "--metrics-port <port>",
      "serve GET /metrics on 127.0.0.1:<port> (env PIWARDRIVE_METRICS_PORT; needs PIWARDRIVE_METRICS=on)",
      parseIntFlag,
    )
    .action(async (flags: WorkerFlags) => {
      const config = configFrom(flags);
      const { jsonLogger } = await import("../json-logger.js");
      const logger = jsonLogger({ level: config.logLevel });
      const { StatementStats } = await import("../db/statement-stats.js");
      let slowCounter: { inc(): void } | undefined;
      // PIWARDRIVE_METRICS=off times nothing either, so a benchmark can measure what all of it costs
      const statements = config.metrics
        ? new StatementStats({
            thresholdMs: config.slowStatementMs,
            logger,
            onSlow: () => slowCounter?.inc(),
          })
        : undefined;
      const db = await openCloudDb({
        db: config.db,
        authToken: config.dbAuthToken,
        busyTimeoutMs: config.busyTimeoutMs,
        statements,
      });
      if (flags.migrate) await migrateCloud(db);
      const { closeRedis, createProducerRedis, createWorkerRedis } = await import("../queues/redis.js");
      const { startMergeWorker } = await import("../workers/merge-worker.js");
      const { createPipelineMetrics } = await import("../metrics/pipeline-metrics.js");
      const { startMetricsServer } = await import("../metrics/metrics-server.js");
      const connection = createWorkerRedis(config.redisUrl, { logger, name: "merge-worker" });
      const queues: Queue[] = [];
      const { url, isFile } = toDbUrl(config.db);
      const metrics = config.metrics
        ? createPipelineMetrics({
            db,
            dbPath: isFile ? url.slice("file:".length) : undefined,
            queues: () => queues,
          })
        : undefined;
      const { startWebhookWorker } = await import("../alerts/webhook-queue.js");
      const { DeliveryProducer } = await import("../alerts/delivery-producer.js");
      const { parseAllowList } = await import("../alerts/webhook-target.js");
      const allow = parseAllowList(config.webhookAllowCidrs);
      const webhooks = await startWebhookWorker({
        db,
        connection,
        queue: { prefix: config.queuePrefix },
        allow,
        logger,
      });
      // The merge queues its deliveries over a fail-fast connection, so a Redis outage never holds a merge.
      const producer = createProducerRedis(config.redisUrl, { logger, name: "webhook-producer" });
      const deliveries = new DeliveryProducer(db, producer, config.queuePrefix);
      const merge = await startMergeWorker({
        db,
        connection,
        location: { prefix: config.queuePrefix },
        concurrency: flags.concurrency ?? config.mergeConcurrency,
        reconcileEveryMs: config.reconcileEveryMs,
        wireLimits: config.wireLimits,
        healthRetentionMs: config.fleet.healthRetentionMs,
        logger,
        alertRules: config.alertRules,
        webhooks: deliveries,
        ...(metrics === undefined ? {} : { metrics }),
      });
      queues.push(merge.queue, webhooks.queue);
      slowCounter = metrics?.slowStatements;
      const metricsPort = flags.metricsPort ?? config.metricsPort;
      const metricsServer =
        metrics !== undefined && metricsPort !== undefined
          ? await startMetricsServer(metrics.registry, metricsPort)
          : undefined;
      const { startLoadTestWorker } = await import("../loadtest/loadtest-worker.js");
      const loadtests = startLoadTestWorker({
        db,
        connection,
        location: { prefix: config.queuePrefix },
        logger,
        alertWebhookUrl: config.alertWebhookUrl,
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
      const { startFleetJob } = await import("../fleet/fleet-job.js");
      const fleet = await startFleetJob({
        db,
        connection,
        location: { prefix: config.queuePrefix },
        thresholds: config.fleet,
        logger,
      });
      const { startMaintenance } = await import("../maintenance/maintenance-job.js");
      const maintenance = await startMaintenance({
        connection,
        location: { prefix: config.queuePrefix },
        logger,
        everyMs: config.maintenanceEveryMs,
        options: {
          db,
          dbPath: isFile ? url.slice("file:".length) : undefined,
          payloadRetentionDays: config.payloadRetentionDays,
          vacuumFreePercent: config.vacuumFreePercent,
          slowStatements: () => statements?.report(10).slowest ?? [],
        },
      });
      onShutdown(
        logger,
        async () => {
          sampler.stop();
          await maintenance.close();
          await fleet.close();
          await reports.close();
          await loadtests.close();
          await metricsServer?.close();
          await merge.close();
          await deliveries.close();
          await webhooks.close();
          await Promise.all([closeRedis(connection), closeRedis(producer)]);
          db.close();
        },
        config.shutdownGraceMs,
      );
      // Ready only once Ctrl-C / SIGTERM stop it cleanly (a signal before this line would kill it outright).
      logger.info("merge worker started", {
        concurrency: merge.worker.opts.concurrency,
        db: loggableUrl(config.db),
        metricsUrl: metricsServer?.url ?? null,
      });
    });
}
