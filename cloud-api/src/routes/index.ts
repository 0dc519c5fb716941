import { BlockList } from "node:net";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";
import { adminQueuesRoute } from "./admin-queues.js";
import { exportRoute } from "./analyst/export.js";
import { analystRoutes } from "./analyst/index.js";
import { healthRoute } from "./health.js";
import { ingestRoute } from "./ingest.js";
import { loadtestsRoute } from "./loadtests.js";
import { openApiRoute } from "./openapi/openapi-route.js";
import { deviceDetailRoute } from "./ops/device-detail.js";
import { devicesRoute } from "./ops/devices.js";
import { metricsRoute } from "./ops/metrics.js";
import { pipelineRoute } from "./ops/pipeline.js";
import { retryBatchRoute } from "./ops/retry-batch.js";
import { slowQueriesRoute } from "./ops/slow-queries.js";
import { webhooksRoute } from "./ops/webhooks.js";
import { readyRoute } from "./ready.js";
import { reportsRoute } from "./reports.js";
import { statsRoute } from "./stats.js";

/** Registers every route; one file per route. */
export function createRoutes(deps: AppDeps) {
  const routes = new Hono<AppEnv>()
    .route("/", healthRoute())
    .route("/", openApiRoute())
    .route("/", readyRoute(deps))
    .route("/", ingestRoute(deps))
    .route("/", statsRoute(deps))
    .route("/", exportRoute(deps))
    .route("/", reportsRoute(deps))
    .route("/", analystRoutes(deps))
    .route("/", webhooksRoute({ db: deps.db, webhookAllow: deps.webhookAllow ?? new BlockList() }))
    .route("/", devicesRoute(deps))
    .route("/", deviceDetailRoute(deps))
    .route("/", pipelineRoute(deps))
    .route("/", retryBatchRoute(deps));
  if (deps.loadtests !== undefined) routes.route("/", loadtestsRoute(deps, deps.loadtests));
  if (deps.metrics !== undefined) routes.route("/", metricsRoute(deps, deps.metrics.registry));
  if (deps.statements !== undefined) routes.route("/", slowQueriesRoute(deps, deps.statements));
  if (deps.boardQueues !== undefined && deps.boardQueues.length > 0) {
    routes.route("/", adminQueuesRoute(deps, deps.boardQueues));
  }
  return routes;
}
