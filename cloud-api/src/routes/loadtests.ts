import { Hono } from "hono";
import { ApiError } from "../api-error.js";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireRole } from "../auth/api-key.js";
import {
  createApiLoadTest,
  getLoadTest,
  listLoadTests,
  parseLoadTestRequest,
} from "../loadtest/api-loadtests.js";

/**
 * POST /v1/loadtests (operator): queue a load test of this API (202; another host 400; one already queued
 * or running 409). GET /v1/loadtests and /v1/loadtests/{id}: runs with their stored results.
 */
export function loadtestsRoute(deps: AppDeps, loadtests: NonNullable<AppDeps["loadtests"]>) {
  const operator = requireRole(deps.db, "operator");
  return new Hono<AppEnv>()
    .post("/v1/loadtests", operator, async (c) => {
      const self = loadtests.selfOrigin;
      if (self === undefined)
        throw new ApiError(503, "not_ready", "the API does not know its own address yet");
      const body: unknown = await c.req.json().catch(() => {
        throw new ApiError(400, "invalid_argument", "the body must be JSON");
      });
      const request = parseLoadTestRequest(body, self);
      const outcome = await createApiLoadTest(deps.db, request);
      if (outcome.kind === "busy") {
        throw new ApiError(
          409,
          "loadtest_running",
          `load test ${outcome.activeId} is queued or running; one at a time`,
        );
      }
      await loadtests.queue.add("loadtest", { runId: outcome.id }, { jobId: outcome.id });
      return c.json({ id: outcome.id, status: "queued" }, 202);
    })
    .get("/v1/loadtests", operator, async (c) => c.json({ loadtests: await listLoadTests(deps.db) }))
    .get("/v1/loadtests/:id", operator, async (c) => c.json(await getLoadTest(deps.db, c.req.param("id"))));
}
