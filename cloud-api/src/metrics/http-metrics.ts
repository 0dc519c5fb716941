import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../app-env.js";
import type { ApiMetrics } from "./api-metrics.js";

/** The route label of a request that matched no route (404, or a method the path does not have). */
export const UNMATCHED_ROUTE = "unmatched";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The route TEMPLATE that answered (`/v1/devices/:id`), never the raw path, so a label never carries a
 * MAC, an id or whatever a scanner sends: label cardinality stays bounded by the routes we wrote.
 * Only app-wide middleware (path `/*`) matched means no route did.
 */
export function routeLabel(routes: readonly { path: string; method: string }[]): string {
  for (let i = routes.length - 1; i >= 0; i -= 1) {
    const route = routes[i];
    if (route !== undefined && !(route.path === "/*" && route.method === "ALL")) return route.path;
  }
  return UNMATCHED_ROUTE;
}

/** Times every request and counts it by method, route template and status. */
export function httpMetrics(metrics: ApiMetrics) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const labels = {
        method: METHODS.has(c.req.method) ? c.req.method : "OTHER",
        route: routeLabel(matchedRoutes(c)),
        status: String(c.res.status),
      };
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe(labels, seconds);
      metrics.httpRequests.inc(`${labels.method} ${labels.route} ${labels.status}`, labels);
      metrics.routeWindow.record(labels.method, labels.route, c.res.status, seconds * 1000);
    }
  });
}
