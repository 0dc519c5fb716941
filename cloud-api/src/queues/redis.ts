import { Redis } from "ioredis";
import type { Logger } from "../logger.js";

/*
 * Two kinds of Redis connection, on purpose (ARCHITECTURE decision 7):
 * - workers block on Redis and must ride out outages: maxRetriesPerRequest null, offline queue on;
 * - the HTTP side must never hang a request on Redis: no offline queue (a command while disconnected
 *   fails at once), short connect and command timeouts. Ingest then still answers (see routes/ingest.ts)
 *   and /ready reports the outage. Both reconnect in the background.
 */

export interface RedisConnectionOptions {
  /** Fail-fast timeouts for the HTTP side, in ms. */
  timeoutMs?: number;
  logger?: Logger;
  name?: string;
}

const reconnectDelay = (times: number) => Math.min(times * 200, 2000);

function watch(redis: Redis, logger: Logger | undefined, name: string): Redis {
  let lastLogged = 0;
  // ioredis prints "Unhandled error event" without a listener; log at most every 10 s while down.
  redis.on("error", (error: Error) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger?.warn("redis connection error", { connection: name, error: error.message });
  });
  return redis;
}

/** For BullMQ workers (and the reconciler's queue handle). */
export function createWorkerRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const name = options.name ?? "worker";
  return watch(
    new Redis(url, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay, connectionName: name }),
    options.logger,
    name,
  );
}

/** For the API process: producer, readiness probe and rate limiter. */
export function createProducerRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const timeout = options.timeoutMs ?? 1000;
  const name = options.name ?? "api";
  return watch(
    new Redis(url, {
      enableOfflineQueue: false,
      connectTimeout: timeout,
      commandTimeout: timeout,
      maxRetriesPerRequest: 1,
      retryStrategy: reconnectDelay,
      connectionName: name,
    }),
    options.logger,
    name,
  );
}

/** Closes a connection without waiting on a server that may be gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}
