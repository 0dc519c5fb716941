import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../app-env.js";
import { parsePrometheus } from "../test-support/prometheus.js";
import { createApiMetrics } from "./api-metrics.js";
import { httpMetrics, UNMATCHED_ROUTE } from "./http-metrics.js";
import { createRegistry } from "./registry.js";

describe("httpMetrics", () => {
  it("labels a parameterised route by its template, in a sub-router too, and a miss as unmatched", async () => {
    const metrics = createApiMetrics(createRegistry("api"));
    const app = new Hono<AppEnv>().use(httpMetrics(metrics));
    app.route(
      "/",
      new Hono<AppEnv>().get("/v1/networks/:mac", (c) => c.text(c.req.param("mac"))),
    );
    const mac = "aa:bb:cc:dd:ee:ff";
    expect(await (await app.request(`/v1/networks/${mac}`)).text()).toBe(mac);
    expect((await app.request(`/v1/networks/${mac}`, { method: "DELETE" })).status).toBe(404);
    expect((await app.request("/v1/networks")).status).toBe(404);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain(mac);
    const m = parsePrometheus(text);
    expect(m.value("http_requests_total", { method: "GET", route: "/v1/networks/:mac", status: "200" })).toBe(
      1,
    );
    expect(m.value("http_requests_total", { method: "DELETE", route: UNMATCHED_ROUTE, status: "404" })).toBe(
      1,
    );
    expect(m.value("http_requests_total", { method: "GET", route: UNMATCHED_ROUTE, status: "404" })).toBe(1);
  });

  it("still counts a request whose handler threw (as the error handler's status)", async () => {
    const metrics = createApiMetrics(createRegistry("api"));
    const app = new Hono<AppEnv>().use(httpMetrics(metrics));
    app.onError((_, c) => c.text("no", 503));
    app.get("/boom/:id", () => {
      throw new Error("boom");
    });
    expect((await app.request("/boom/1")).status).toBe(503);
    const m = parsePrometheus(await metrics.registry.metrics());
    expect(m.value("http_requests_total", { route: "/boom/:id", status: "503" })).toBe(1);
  });
});
