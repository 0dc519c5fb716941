import { BlockList } from "node:net";
import type { Client } from "@libsql/client";
import { Hono, type MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { cachedApiKeyLookup } from "../../auth/api-key-cache.js";
import { analystResponseCache, DEFAULT_ANALYST_CACHE } from "../../cache/analyst-response-cache.js";
import { MergeGenerationClock } from "../../cache/merge-generation-clock.js";
import { localReads, type Reads } from "../../reads/read-pool.js";
import { alertAckRoute } from "./alert-ack.js";
import { alertsRoute } from "./alerts.js";
import { dailyStatsRoute } from "./daily-stats.js";
import { heatmapRoute } from "./heatmap.js";
import { inOrder } from "./in-order.js";
import { networkDetailRoute } from "./network-detail.js";
import { networkObservationsRoute } from "./network-observations.js";
import { networksRoute } from "./networks.js";
import { observationsRoute } from "./observations.js";
import { analystRateLimit } from "./rate-limit.js";
import { watchlistRoute } from "./watchlist.js";

export const DEFAULT_ANALYST_PER_MINUTE = 600;

/**
 * What each analyst route gets: the database and its guard. `guard`: role (API keys verified through a
 * short-lived cache), then the per-key budget. `cachedGuard`: the same, then the GET cache (ETag / 304 /
 * LRU), keyed on the merge generation: only for routes whose answers change with it alone (merged data,
 * and alert acknowledgements, which bump it); alerts, the watchlist and hooks change otherwise.
 */
export interface AnalystRouteDeps {
  db: Client;
  /** The analyst reads (reader threads in `serve`, else on `db`). */
  reads: Reads;
  guard: MiddlewareHandler<AppEnv>;
  cachedGuard: MiddlewareHandler<AppEnv>;
  /** Webhook targets allowed although private (a watchlist entry may carry a hook). */
  webhookAllow: BlockList;
  /** The clock (a default `until` is today). */
  now: () => number;
}

/** The analyst routes (analyst key or higher, per-key rate limit, cached GETs); one file per route. */
export function analystRoutes(deps: AppDeps) {
  const cache = { ...DEFAULT_ANALYST_CACHE, ...deps.analystCache };
  const keys = cachedApiKeyLookup(deps.db, { ttlMs: cache.keyTtlMs, max: 10_000 }, (result) =>
    deps.metrics?.apiKeyCache.inc(result, { result }),
  );
  const checks = [
    requireRole(deps.db, "analyst", keys),
    analystRateLimit(deps.analystPerMinute ?? DEFAULT_ANALYST_PER_MINUTE),
  ];
  const routeDeps: AnalystRouteDeps = {
    db: deps.db,
    reads: deps.reads ?? localReads(deps.db),
    webhookAllow: deps.webhookAllow ?? new BlockList(),
    guard: inOrder(...checks),
    cachedGuard: inOrder(
      ...checks,
      analystResponseCache({
        clock: new MergeGenerationClock(deps.db, cache.generationMaxAgeMs),
        options: cache,
        metrics: deps.metrics,
      }),
    ),
    now: deps.now ?? Date.now,
  };
  return new Hono<AppEnv>()
    .route("/", networksRoute(routeDeps))
    .route("/", networkObservationsRoute(routeDeps))
    .route("/", networkDetailRoute(routeDeps))
    .route("/", observationsRoute(routeDeps))
    .route("/", alertsRoute(routeDeps))
    .route("/", alertAckRoute(routeDeps))
    .route("/", watchlistRoute(routeDeps))
    .route("/", heatmapRoute(routeDeps))
    .route("/", dailyStatsRoute(routeDeps));
}
