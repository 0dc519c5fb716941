import { createMiddleware } from "hono/factory";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../../api-error.js";
import type { AppEnv } from "../../app-env.js";

/**
 * Per-API-key budget on the analyst routes (after requireRole, which sets `apiKey`). In memory, per API
 * process: a replica set multiplies the budget by its size, which is acceptable for a guard against one
 * runaway client (the shared Redis budget is for ingest, where fairness across replicas matters).
 */
export function analystRateLimit(perMinute: number) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix: "analyst" });
  return createMiddleware<AppEnv>(async (c, next) => {
    try {
      await limiter.consume(c.get("apiKey").id, 1);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new ApiError(429, "rate_limited", `over ${perMinute} analyst requests per minute for this key`, {
        "Retry-After": String(retryAfter),
      });
    }
    await next();
  });
}
