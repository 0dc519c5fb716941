import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../services/api-keys.js";
import { createDevice, revokeDevice } from "../services/devices.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, manySightings, postBatch } from "../test-support/batches.js";
import { expectError } from "../test-support/expect-error.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { statsResponseSchema } from "./schema.js";

let cloud: TestCloud;
beforeEach(async () => {
  cloud = await openTestCloud();
});
afterEach(() => cloud.cleanup());

const get = (authorization?: string) =>
  cloud.app.request("/v1/stats", authorization === undefined ? {} : { headers: { authorization } });

describe("GET /v1/stats", () => {
  it("requires an API key: 401 without one or with an unknown one", async () => {
    await expectError(await get(), 401, "unauthorized");
    await expectError(await get("Bearer nope"), 401, "unauthorized");
    await expectError(await get("Token abc"), 401, "unauthorized");
  });

  it("accepts analyst, operator and admin keys", async () => {
    for (const role of ["analyst", "operator", "admin"] as const) {
      const { key } = await createApiKey(cloud.db, { role });
      expect((await get(`Bearer ${key}`)).status).toBe(200);
    }
  });

  it("counts observations, networks, active devices and batches by state", async () => {
    const { key } = await createApiKey(cloud.db, { role: "analyst" });
    const a = await createDevice(cloud.db, { name: "pi-a" });
    const gone = await createDevice(cloud.db, { name: "pi-gone" });
    await revokeDevice(cloud.db, gone.id);
    await postBatch(cloud.app, a.token, makeBatch({ deviceId: a.id, batchSeq: 0 }, manySightings(12)));
    await postBatch(cloud.app, a.token, makeBatch({ deviceId: a.id, batchSeq: 0 }, manySightings(12))); // resend
    await postBatch(cloud.app, a.token, makeBatch({ deviceId: a.id, batchSeq: 1 }, manySightings(3, 13)));
    await mergeBatch({ db: cloud.db, key: { deviceId: a.id, runId: "run-1", batchSeq: 0 } });
    await cloud.db.execute("UPDATE landed_batches SET status = 'failed', error = 'test' WHERE batch_seq = 1");

    const res = await get(`Bearer ${key}`);
    const body = statsResponseSchema.parse(await res.json());
    expect(body).toEqual({
      observations: 12,
      networks: 5,
      devices: 1,
      batches: { landed: 2, merged: 1, failed: 1 },
    });
  });
});
