import type { Client } from "@libsql/client";
import { Hono, type MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { cachedApiKeyLookup } from "../../auth/api-key-cache.js";
import { analystResponseCache, DEFAULT_ANALYST_CACHE } from "../../cache/analyst-response-cache.js";
import { MergeGenerationClock } from "../../cache/merge-generation-clock.js";
import { networkDetailRoute } from "./network-detail.js";
import { networkObservationsRoute } from "./network-observations.js";
import { networksRoute } from "./networks.js";
import { observationsRoute } from "./observations.js";
import { analystRateLimit } from "./rate-limit.js";

export const DEFAULT_ANALYST_PER_MINUTE = 600;

/**
 * What each analyst route gets: the database and the guard every analyst route runs: role (API keys
 * verified through a short-lived cache), per-key budget, then the GET cache (ETag / 304 / LRU).
 */
export interface AnalystRouteDeps {
  db: Client;
  guard: MiddlewareHandler<AppEnv>;
}

/** The analyst routes (analyst key or higher, per-key rate limit, cached GETs); one file per route. */
export function analystRoutes(deps: AppDeps) {
  const cache = { ...DEFAULT_ANALYST_CACHE, ...deps.analystCache };
  const keys = cachedApiKeyLookup(deps.db, { ttlMs: cache.keyTtlMs, max: 10_000 }, (result) =>
    deps.metrics?.apiKeyCache.inc({ result }),
  );
  const routeDeps: AnalystRouteDeps = {
    db: deps.db,
    guard: every(
      requireRole(deps.db, "analyst", keys),
      analystRateLimit(deps.analystPerMinute ?? DEFAULT_ANALYST_PER_MINUTE),
      analystResponseCache({
        clock: new MergeGenerationClock(deps.db, cache.generationMaxAgeMs),
        options: cache,
        metrics: deps.metrics,
      }),
    ),
  };
  return new Hono<AppEnv>()
    .route("/", networksRoute(routeDeps))
    .route("/", networkObservationsRoute(routeDeps))
    .route("/", networkDetailRoute(routeDeps))
    .route("/", observationsRoute(routeDeps));
}
