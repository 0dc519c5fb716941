import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./app-env.js";
import type { Logger } from "./logger.js";
import { routeLabel } from "./metrics/http-metrics.js";

/** Probes and scrapes arrive every few seconds; their access lines are debug so info stays readable. */
const QUIET_ROUTES = new Set(["/health", "/ready", "/metrics"]);

/**
 * Gives each request a child logger carrying its `requestId` (set by hono's requestId() before this) and
 * writes one access line when it is answered: method, route template (never the raw path, which may carry
 * a MAC), status and duration. Auth middlewares add `deviceId` / `apiKeyId` to the child.
 */
export function requestLogger(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    c.set("logger", logger.child({ requestId: c.get("requestId") }));
    try {
      await next();
    } finally {
      const route = routeLabel(matchedRoutes(c));
      const fields = {
        method: c.req.method,
        route,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      const log = c.get("logger");
      if (QUIET_ROUTES.has(route)) log.debug("request", fields);
      else log.info("request", fields);
    }
  });
}
