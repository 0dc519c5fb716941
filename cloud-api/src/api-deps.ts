import { parseAllowList } from "./alerts/webhook-target.js";
import type { AppDeps } from "./app-env.js";
import { openCloudDb, toDbUrl } from "./db/cloud-db.js";
import { StatementStats } from "./db/statement-stats.js";
import type { CloudConfig } from "./env.js";
import { createLoadTestQueue } from "./loadtest/loadtest-queue.js";
import type { Logger } from "./logger.js";
import { createApiMetrics } from "./metrics/api-metrics.js";
import { MergeProducer } from "./queues/merge-producer.js";
import { createMergeQueue } from "./queues/merge-queue.js";
import { closeRedis, createProducerRedis } from "./queues/redis.js";
import { defaultReaderThreads, lazyReadPool } from "./reads/read-pool.js";
import { createDeviceRateLimiter } from "./throttle/device-rate-limit.js";

export type ApiConfig = Pick<
  CloudConfig,
  "db" | "dbAuthToken" | "redisUrl" | "queuePrefix" | "ingestPerMinute" | "busyTimeoutMs" | "wireLimits"
> &
  Partial<Pick<CloudConfig, "fleet" | "analystPerMinute" | "readThreads">> &
  /** Metrics are on unless this says false; no webhook allow-list: public targets only; statements are timed when a slow threshold is given. */
  Partial<Pick<CloudConfig, "metrics" | "webhookAllowCidrs" | "slowStatementMs">>;

/**
 * Opens what an API process needs from a config: the database (one tuned connection, plus the reader
 * threads of a local file, started by the first analyst read: reads/read-pool.ts), the fail-fast
 * Redis connection (producer, rate limiter, /ready) and a separate one for bull-board. `close()` releases
 * all of it; call it after the HTTP server stopped.
 */
export async function openApiDeps(
  config: ApiConfig,
  logger: Logger,
): Promise<{ deps: AppDeps; close(): Promise<void> }> {
  const metrics = config.metrics === false ? undefined : createApiMetrics();
  const statements =
    config.slowStatementMs === undefined || config.metrics === false
      ? undefined
      : new StatementStats({
          thresholdMs: config.slowStatementMs,
          logger,
          onSlow: () => metrics?.slowStatements.inc(),
        });
  const db = await openCloudDb({
    db: config.db,
    authToken: config.dbAuthToken,
    busyTimeoutMs: config.busyTimeoutMs,
    statements,
  });
  const threads = config.readThreads ?? defaultReaderThreads();
  const reads =
    threads > 0 && toDbUrl(config.db).isFile
      ? lazyReadPool(
          { db: config.db, authToken: config.dbAuthToken, busyTimeoutMs: config.busyTimeoutMs },
          threads,
          statements,
          db,
        )
      : undefined;
  const redis = createProducerRedis(config.redisUrl, { logger, name: "api" });
  // bull-board reads can take longer than ingest's fail-fast budget.
  const boardRedis = createProducerRedis(config.redisUrl, { logger, name: "board", timeoutMs: 5000 });
  const location = { prefix: config.queuePrefix };
  const mergeProducer = new MergeProducer(redis, location);
  const boardQueue = createMergeQueue(boardRedis, location);
  boardQueue.on("error", () => {});
  const loadtestQueue = createLoadTestQueue(boardRedis, location);
  loadtestQueue.on("error", () => {});
  const deps: AppDeps = {
    db,
    redis,
    mergeProducer,
    rateLimiter: createDeviceRateLimiter({
      redis,
      perMinute: config.ingestPerMinute,
      keyPrefix: config.queuePrefix,
    }),
    wireLimits: config.wireLimits,
    webhookAllow: parseAllowList(config.webhookAllowCidrs),
    logger,
    analystPerMinute: config.analystPerMinute,
    boardQueues: [boardQueue],
    mergeQueue: boardQueue,
    ...(config.fleet === undefined ? {} : { fleet: config.fleet }),
    loadtests: { queue: loadtestQueue, selfOrigin: undefined },
    lifecycle: { draining: false },
    ...(metrics === undefined ? {} : { metrics }),
    ...(statements === undefined ? {} : { statements }),
    ...(reads === undefined ? {} : { reads }),
  };
  return {
    deps,
    async close() {
      await mergeProducer.close();
      await boardQueue.close().catch(() => {});
      await loadtestQueue.close().catch(() => {});
      await Promise.all([closeRedis(redis), closeRedis(boardRedis)]);
      await reads?.close();
      db.close();
    },
  };
}
