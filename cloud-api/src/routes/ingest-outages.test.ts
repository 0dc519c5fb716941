import { createClient } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { createDevice } from "../services/devices.js";
import { makeBatch, manySightings, postBatch } from "../test-support/batches.js";
import { countRows, expectError } from "../test-support/expect-error.js";
import { DEAD_REDIS_URL, openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { reconcileLandedBatches } from "../workers/reconciler.js";

let cloud: TestCloud | undefined;
afterEach(async () => {
  await cloud?.cleanup();
  cloud = undefined;
});

describe("POST /v1/ingest when something is down", () => {
  it("answers 503 with Retry-After when the database is closed", async () => {
    cloud = await openTestCloud();
    const device = await createDevice(cloud.db, { name: "pi-1" });
    cloud.db.close();
    const res = await postBatch(
      cloud.app,
      device.token,
      makeBatch({ deviceId: device.id }, manySightings(3)),
    );
    await expectError(res, 503, "store_unavailable");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("answers 503 when another writer holds the lock past the busy timeout; the resend then lands", async () => {
    cloud = await openTestCloud({ busyTimeoutMs: 100 });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const other = createClient({ url: `file:${cloud.path}` });
    const lock = await other.transaction("write");
    await lock.execute("UPDATE devices SET name = name");
    const batch = makeBatch({ deviceId: device.id }, manySightings(3));
    try {
      const res = await postBatch(cloud.app, device.token, batch);
      await expectError(res, 503, "store_unavailable");
      expect(res.headers.get("retry-after")).toBe("5");
    } finally {
      await lock.rollback();
      other.close();
    }
    expect(await countRows(cloud.db, "landed_batches")).toBe(0);
    expect(await (await postBatch(cloud.app, device.token, batch)).json()).toEqual({ status: "accepted" });
  });

  it("still answers 202 when Redis cannot take the job; the reconciler enqueues it later", async () => {
    cloud = await openTestCloud({ redisUrl: DEAD_REDIS_URL });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const started = Date.now();
    const res = await postBatch(
      cloud.app,
      device.token,
      makeBatch({ deviceId: device.id }, manySightings(3)),
    );
    expect(Date.now() - started).toBeLessThan(3000); // no hanging on Redis
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });
    expect((await cloud.db.execute("SELECT status FROM landed_batches")).rows[0]?.status).toBe("landed");
    expect(cloud.logger.entries.some((e) => e.message.startsWith("merge job not enqueued"))).toBe(true);
    // once Redis is reachable (the test's own queue handle is on the live server) the batch is recovered
    expect(await reconcileLandedBatches({ db: cloud.db, queue: cloud.queue })).toEqual({
      scanned: 1,
      enqueued: 1,
      actions: { added: 1, retried: 0, replaced: 0 },
    });
    expect(await cloud.queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
  });

  it("answers 429 with Retry-After once a device exceeds its rate, other devices unaffected", async () => {
    cloud = await openTestCloud({ perMinute: 2 });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const other = await createDevice(cloud.db, { name: "pi-2" });
    for (const batchSeq of [0, 1]) {
      const ok = await postBatch(
        cloud.app,
        device.token,
        makeBatch({ deviceId: device.id, batchSeq }, manySightings(2)),
      );
      expect(ok.status).toBe(202);
    }
    const third = makeBatch({ deviceId: device.id, batchSeq: 2 }, manySightings(2));
    const res = await postBatch(cloud.app, device.token, third);
    await expectError(res, 429, "rate_limited");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await countRows(cloud.db, "landed_batches")).toBe(2);
    const fromOther = await postBatch(
      cloud.app,
      other.token,
      makeBatch({ deviceId: other.id }, manySightings(2)),
    );
    expect(fromOther.status).toBe(202);
  });

  it("keeps rate limiting in-process while Redis is unreachable", async () => {
    cloud = await openTestCloud({ redisUrl: DEAD_REDIS_URL, perMinute: 1 });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const first = await postBatch(
      cloud.app,
      device.token,
      makeBatch({ deviceId: device.id }, manySightings(2)),
    );
    expect(first.status).toBe(202);
    const second = makeBatch({ deviceId: device.id, batchSeq: 1 }, manySightings(2));
    await expectError(await postBatch(cloud.app, device.token, second), 429, "rate_limited");
  });
});
