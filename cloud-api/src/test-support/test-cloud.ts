import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import { DEFAULT_WIRE_LIMITS, type WireLimits } from "@piwardrive/shared-schema/wire";
import type { Queue } from "bullmq";
import type { Hono } from "hono";
import type { Redis } from "ioredis";
import { createApp } from "../app.js";
import type { AppDeps, AppEnv } from "../app-env.js";
import { openCloudDb } from "../db/cloud-db.js";
import { memoryLogger } from "../logger.js";
import { MergeProducer } from "../queues/merge-producer.js";
import { createMergeQueue } from "../queues/merge-queue.js";
import { closeRedis, createProducerRedis, createWorkerRedis } from "../queues/redis.js";
import { ReadPool } from "../reads/read-pool.js";
import type { BatchKey } from "../services/batch-key.js";
import { createDeviceRateLimiter } from "../throttle/device-rate-limit.js";

export const REDIS_URL = "redis://127.0.0.1:6379";
/** Nothing listens on port 1: every connection attempt is refused at once. */
export const DEAD_REDIS_URL = "redis://127.0.0.1:1";

/** A migrated cloud database in a fresh temp dir. */
export async function openTempDb(busyTimeoutMs = 5000): Promise<{
  db: Client;
  path: string;
  cleanup: () => void;
}> {
  const dir = mkdtempSync(join(tmpdir(), "pw-cloud-"));
  const path = join(dir, "cloud.db");
  const db = await openCloudDb({ db: path, busyTimeoutMs });
  await migrateCloud(db);
  return {
    db,
    path,
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestCloud {
  db: Client;
  path: string;
  /** Unique Redis key prefix of this test (`test-<uuid>`). */
  prefix: string;
  deps: AppDeps;
  app: Hono<AppEnv>;
  logger: ReturnType<typeof memoryLogger>;
  /** A worker-style connection for queue handles in the test itself. */
  workerRedis: Redis;
  /** A queue handle on this test's merge queue. */
  queue: Queue<BatchKey>;
  cleanup(): Promise<void>;
}

async function ready(redis: Redis): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve) => redis.once("ready", () => resolve()));
}

/** The real app on a temp database and the real Redis under a unique prefix; `cleanup` obliterates it. */
export async function openTestCloud(
  options: {
    redisUrl?: string;
    perMinute?: number;
    busyTimeoutMs?: number;
    wireLimits?: WireLimits;
    analystCache?: AppDeps["analystCache"];
    /** Run the analyst reads on this many reader threads (as `serve` does); default: on `db`. */
    readThreads?: number;
  } = {},
): Promise<TestCloud> {
  const temp = await openTempDb(options.busyTimeoutMs);
  const reads =
    options.readThreads === undefined
      ? undefined
      : await ReadPool.start({ db: temp.path }, options.readThreads);
  const prefix = `test-${randomUUID()}`;
  const logger = memoryLogger();
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const redis = createProducerRedis(redisUrl, { logger, name: "test-api" });
  if (redisUrl === REDIS_URL) await ready(redis);
  const workerRedis = createWorkerRedis(REDIS_URL, { logger, name: "test-worker" });
  const queue = createMergeQueue(workerRedis, { prefix });
  const mergeProducer = new MergeProducer(redis, { prefix });
  const deps: AppDeps = {
    db: temp.db,
    redis,
    mergeProducer,
    rateLimiter: createDeviceRateLimiter({ redis, perMinute: options.perMinute ?? 1000, keyPrefix: prefix }),
    wireLimits: options.wireLimits ?? DEFAULT_WIRE_LIMITS,
    logger,
    boardQueues: [queue],
    mergeQueue: queue,
    // Tests merge and then ask at once: read the generation on every request unless a test asks for the
    // production bound (the cache tests do).
    analystCache: options.analystCache ?? { generationMaxAgeMs: 0 },
    // Suites send hundreds of analyst requests with one key within a minute (more on a fast machine, and
    // with the cache in front): the budget is lifted here; the rate-limit test sets its own.
    analystPerMinute: 1_000_000,
    ...(reads === undefined ? {} : { reads }),
  };
  return {
    db: temp.db,
    path: temp.path,
    prefix,
    deps,
    app: createApp(deps),
    logger,
    workerRedis,
    queue,
    async cleanup() {
      await mergeProducer.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await deleteKeys(workerRedis, `${prefix}:*`);
      await Promise.all([closeRedis(redis), closeRedis(workerRedis)]);
      await reads?.close();
      temp.cleanup();
    },
  };
}

/** Removes what obliterate does not own (rate-limit counters) under the test's prefix. */
async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
