import type { Queue } from "bullmq";
import type { AppDeps } from "./app-env.js";
import { openCloudDb } from "./db/cloud-db.js";
import type { CloudConfig } from "./env.js";
import { createLoadTestQueue } from "./loadtest/loadtest-queue.js";
import type { Logger } from "./logger.js";
import { createApiMetrics } from "./metrics/api-metrics.js";
import { MergeProducer } from "./queues/merge-producer.js";
import { createMergeQueue } from "./queues/merge-queue.js";
import { closeRedis, createProducerRedis } from "./queues/redis.js";
import { createDeviceRateLimiter } from "./throttle/device-rate-limit.js";

export type ApiConfig = Pick<
  CloudConfig,
  "db" | "dbAuthToken" | "redisUrl" | "queuePrefix" | "ingestPerMinute" | "busyTimeoutMs" | "wireLimits"
> &
  Partial<Pick<CloudConfig, "analystPerMinute">> &
  /** Metrics are on unless this says false. */
  Partial<Pick<CloudConfig, "metrics">>;

/**
 * Opens what an API process needs from a config: the database (one tuned connection), the fail-fast
 * Redis connection (producer, rate limiter, /ready) and a separate one for bull-board. `close()` releases
 * all of it; call it after the HTTP server stopped.
 */
export async function openApiDeps(
  config: ApiConfig,
  logger: Logger,
): Promise<{ deps: AppDeps; close(): Promise<void> }> {
  const db = await openCloudDb({
    db: config.db,
    authToken: config.dbAuthToken,
    busyTimeoutMs: config.busyTimeoutMs,
  });
  const redis = createProducerRedis(config.redisUrl, { logger, name: "api" });
  // bull-board reads can take longer than ingest's fail-fast budget.
  const boardRedis = createProducerRedis(config.redisUrl, { logger, name: "board", timeoutMs: 5000 });
  const location = { prefix: config.queuePrefix };
  const mergeProducer = new MergeProducer(redis, location);
  const boardQueue: Queue = createMergeQueue(boardRedis, location);
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
    logger,
    analystPerMinute: config.analystPerMinute,
    boardQueues: [boardQueue],
    loadtests: { queue: loadtestQueue, selfOrigin: undefined },
    ...(config.metrics === false ? {} : { metrics: createApiMetrics() }),
  };
  return {
    deps,
    async close() {
      await mergeProducer.close();
      await boardQueue.close().catch(() => {});
      await loadtestQueue.close().catch(() => {});
      await Promise.all([closeRedis(redis), closeRedis(boardRedis)]);
      db.close();
    },
  };
}
