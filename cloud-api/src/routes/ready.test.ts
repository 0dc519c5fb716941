import { afterEach, describe, expect, it } from "vitest";
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
