import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { type ErrorBody, toApiError } from "./api-error.js";
import type { AppDeps, AppEnv } from "./app-env.js";
import { errorFields } from "./logger.js";
import { httpMetrics } from "./metrics/http-metrics.js";
import { requestLogger } from "./request-logger.js";
import { createRoutes } from "./routes/index.js";

export type { AppDeps, AppEnv } from "./app-env.js";

/**
 * Builds the cloud API. Error handling lives here once: whatever a route or middleware throws leaves as
 * `{ error: { code, message, requestId } }` with the status (and headers, e.g. Retry-After) of its
 * ApiError mapping; unexpected errors are logged and answered 500 without details.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(requestLogger(deps.logger));
  app.use(async (c, next) => {
    await next();
    // while draining, keep-alive clients reconnect (to another replica) instead of reusing this socket
    if (deps.lifecycle?.draining === true) c.header("Connection", "close");
  });
  if (deps.metrics !== undefined) app.use(httpMetrics(deps.metrics));
  app.onError((error, c) => {
    const apiError = toApiError(error);
    const id = c.get("requestId");
    if (apiError.code === "internal") {
      (c.get("logger") ?? deps.logger).error("unhandled error", { path: c.req.path, ...errorFields(error) });
    }
    const body: ErrorBody = { error: { code: apiError.code, message: apiError.message, requestId: id } };
    return c.json(body, apiError.status, apiError.headers);
  });
  app.notFound((c) => {
    const body: ErrorBody = {
      error: {
        code: "not_found",
        message: `no route ${c.req.method} ${c.req.path}`,
        requestId: c.get("requestId"),
      },
    };
    return c.json(body, 404);
  });
  app.route("/", createRoutes(deps));
  return app;
}
