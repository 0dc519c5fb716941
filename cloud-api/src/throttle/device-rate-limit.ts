import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Per-device ingest rate limit. Counters live in Redis so every API replica shares one budget per device;
 * when Redis is unreachable the limiter falls back to an in-process counter (the "insurance" limiter)
 * instead of refusing or waiting, because ingest must keep landing batches while Redis is down.
 */
export interface DeviceRateLimiter {
  /** Consumes one request; resolves with `retryAfterSeconds` when the device is over its budget. */
  consume(deviceId: string): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

export function createDeviceRateLimiter(input: {
  redis: Redis;
  /** Requests per device per minute. */
  perMinute: number;
  keyPrefix: string;
}): DeviceRateLimiter {
  const options = { points: input.perMinute, duration: 60 };
  const limiter = new RateLimiterRedis({
    ...options,
    storeClient: input.redis,
    keyPrefix: `${input.keyPrefix}:rl:ingest`,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ ...options, keyPrefix: `${input.keyPrefix}:rl:ingest:mem` }),
  });
  return {
    async consume(deviceId) {
      try {
        await limiter.consume(deviceId, 1);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        }
        throw rejection;
      }
    },
  };
}
