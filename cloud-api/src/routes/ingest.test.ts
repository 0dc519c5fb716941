import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeJobId } from "../queues/merge-queue.js";
import { createDevice, revokeDevice } from "../services/devices.js";
import { makeBatch, manySightings, postBatch } from "../test-support/batches.js";
import { countRows, expectError } from "../test-support/expect-error.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";

let cloud: TestCloud;
let device: { id: string; token: string };
beforeEach(async () => {
  cloud = await openTestCloud();
  device = await createDevice(cloud.db, { name: "pi-1" });
});
afterEach(() => cloud.cleanup());

describe("POST /v1/ingest", () => {
  it("lands a batch, answers 202 accepted and enqueues a merge job carrying only the key", async () => {
    const batch = makeBatch({ deviceId: device.id, runId: "run-7", batchSeq: 3 }, manySightings(20));
    const res = await postBatch(cloud.app, device.token, batch);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });
    const row = (await cloud.db.execute("SELECT * FROM landed_batches")).rows[0];
    expect(row).toMatchObject({
      device_id: device.id,
      run_id: "run-7",
      batch_seq: 3,
      status: "landed",
      first_seq: 1,
      last_seq: 20,
      observation_count: 20,
      content_encoding: "gzip",
    });
    const key = { deviceId: device.id, runId: "run-7", batchSeq: 3 };
    const job = await cloud.queue.getJob(mergeJobId(key));
    expect(job?.name).toBe("merge");
    expect(job?.data).toEqual(key);
    const seen = await cloud.db.execute({
      sql: "SELECT last_seen_at FROM devices WHERE id = ?",
      args: [device.id],
    });
    expect(seen.rows[0]?.last_seen_at).toBeGreaterThan(0);
  });

  it("answers duplicate for a resend and changes nothing", async () => {
    const batch = makeBatch({ deviceId: device.id }, manySightings(10));
    expect(await (await postBatch(cloud.app, device.token, batch)).json()).toEqual({ status: "accepted" });
    const before = JSON.stringify((await cloud.db.execute("SELECT * FROM landed_batches")).rows);
    const again = await postBatch(cloud.app, device.token, batch, { encoding: "br" });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect(JSON.stringify((await cloud.db.execute("SELECT * FROM landed_batches")).rows)).toBe(before);
    expect(await cloud.queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
  });

  it("still answers duplicate, and logs it, when a resend of the same key covers other seqs", async () => {
    await postBatch(cloud.app, device.token, makeBatch({ deviceId: device.id }, manySightings(10)));
    const other = makeBatch({ deviceId: device.id }, manySightings(5, 100));
    expect(await (await postBatch(cloud.app, device.token, other)).json()).toEqual({ status: "duplicate" });
    const warning = cloud.logger.entries.find((e) => e.message.startsWith("duplicate batch key"));
    expect(warning?.fields).toMatchObject({ deviceId: device.id, firstSeq: 100, lastSeq: 104 });
    expect(await countRows(cloud.db, "landed_batches")).toBe(1);
  });

  it("accepts brotli bodies and stores the encoding the merge worker will need", async () => {
    const res = await postBatch(
      cloud.app,
      device.token,
      makeBatch({ deviceId: device.id }, manySightings(3)),
      {
        encoding: "br",
      },
    );
    expect(await res.json()).toEqual({ status: "accepted" });
    const row = (await cloud.db.execute("SELECT content_encoding FROM landed_batches")).rows[0];
    expect(row?.content_encoding).toBe("br");
  });

  it("refuses a missing or unknown token with 401 and stores nothing", async () => {
    const batch = makeBatch({ deviceId: device.id }, manySightings(2));
    const none = await postBatch(cloud.app, undefined, batch);
    await expectError(none, 401, "unauthorized");
    const unknown = await postBatch(cloud.app, "not-a-real-token", batch);
    await expectError(unknown, 401, "unauthorized");
    expect(await countRows(cloud.db, "landed_batches")).toBe(0);
  });

  it("refuses a revoked device and a batch naming another device with 403", async () => {
    const other = await createDevice(cloud.db, { name: "pi-2" });
    const foreign = makeBatch({ deviceId: other.id }, manySightings(2));
    await expectError(await postBatch(cloud.app, device.token, foreign), 403, "device_mismatch");
    await revokeDevice(cloud.db, device.id);
    const own = makeBatch({ deviceId: device.id }, manySightings(2));
    await expectError(await postBatch(cloud.app, device.token, own), 403, "device_revoked");
    expect(await countRows(cloud.db, "landed_batches")).toBe(0);
  });
});
