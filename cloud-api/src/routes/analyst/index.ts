import { BlockList } from "node:net";
import type { Client } from "@libsql/client";
import { Hono, type MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { alertAckRoute } from "./alert-ack.js";
import { alertsRoute } from "./alerts.js";
import { dailyStatsRoute } from "./daily-stats.js";
import { heatmapRoute } from "./heatmap.js";
import { networkDetailRoute } from "./network-detail.js";
import { networkObservationsRoute } from "./network-observations.js";
import { networksRoute } from "./networks.js";
import { observationsRoute } from "./observations.js";
import { analystRateLimit } from "./rate-limit.js";
import { watchlistRoute } from "./watchlist.js";

export const DEFAULT_ANALYST_PER_MINUTE = 600;

/** What each analyst route gets: the database and the guard every analyst route runs (role, then budget). */
export interface AnalystRouteDeps {
  db: Client;
  guard: MiddlewareHandler<AppEnv>;
  /** Webhook targets allowed although private (a watchlist entry may carry a hook). */
  webhookAllow: BlockList;
  /** The clock (a default `until` is today). */
  now: () => number;
}

/** The analyst routes (analyst key or higher, per-key rate limit); one file per route. */
export function analystRoutes(deps: AppDeps) {
  const routeDeps: AnalystRouteDeps = {
    db: deps.db,
    webhookAllow: deps.webhookAllow ?? new BlockList(),
    guard: every(
      requireRole(deps.db, "analyst"),
      analystRateLimit(deps.analystPerMinute ?? DEFAULT_ANALYST_PER_MINUTE),
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
