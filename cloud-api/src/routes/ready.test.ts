import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { expectError } from "../test-support/expect-error.js";
import { DEAD_REDIS_URL, openTestCloud, type TestCloud } from "../test-support/test-cloud.js";

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.cleanup();
  cloud = undefined;
});

describe("GET /health and /ready", () => {
  it("is alive and ready when the database and Redis answer", async () => {
    cloud = await openTestCloud();
    expect(await (await cloud.app.request("/health")).json()).toEqual({ status: "ok" });
    const res = await cloud.app.request("/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", checks: { db: "ok", redis: "ok" } });
  });

  it("answers 503 draining once shutdown began, and asks clients to close their connection", async () => {
    cloud = await openTestCloud();
    const lifecycle = { draining: false };
    const app = createApp({ ...cloud.deps, lifecycle });
    expect((await app.request("/ready")).status).toBe(200);
    lifecycle.draining = true;
    const res = await app.request("/ready");
    expect(res.headers.get("connection")).toBe("close");
    expect((await expectError(res, 503, "draining")).message).toMatch(/shutting down/);
    expect((await app.request("/health")).status).toBe(200);
  });

  it("is not ready, quickly, when Redis is unreachable; liveness is unaffected", async () => {
    cloud = await openTestCloud({ redisUrl: DEAD_REDIS_URL });
    const started = Date.now();
    const res = await cloud.app.request("/ready");
    expect(Date.now() - started).toBeLessThan(2500);
    const clone = res.clone();
    const error = await expectError(res, 503, "not_ready");
    expect(error.message).toMatch(/^redis error: /);
    expect(((await clone.json()) as { checks: unknown }).checks).toMatchObject({ db: "ok" });
    expect((await cloud.app.request("/health")).status).toBe(200);
  });

  it("is not ready when the database is closed", async () => {
    cloud = await openTestCloud();
    cloud.db.close();
    const res = await cloud.app.request("/ready");
    const body = (await res.json()) as { checks: { db: string; redis: string } };
    expect(res.status).toBe(503);
    expect(body.checks.db).toMatch(/^error: .*closed/i);
    expect(body.checks.redis).toBe("ok");
  });
});
