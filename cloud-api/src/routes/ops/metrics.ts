import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";

/**
 * GET /metrics: the Prometheus text format, operator key or higher. Deployments that scrape from inside the
 * host use `serve --metrics-port` instead (127.0.0.1, no key); see metrics/metrics-server.ts.
 */
export function metricsRoute(deps: AppDeps, registry: Registry) {
  return new Hono<AppEnv>().get("/metrics", requireRole(deps.db, "operator"), async (c) =>
    c.body(await registry.metrics(), 200, { "content-type": registry.contentType }),
  );
}
