import type { WireHealthSample } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deviceDetailResponseSchema, devicesResponseSchema } from "../routes/ops/fleet-schema.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, manySightings, postBatch, T0 } from "../test-support/batches.js";
import { expectError } from "../test-support/expect-error.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";

let cloud: TestCloud;
let now = T0;
beforeEach(async () => {
  now = T0 + 60_000;
  cloud = await openTestCloud();
  cloud.deps.now = () => now;
  // rebuild the app so the routes read the test clock
  const { createApp } = await import("../app.js");
  cloud.app = createApp(cloud.deps);
});
afterEach(() => cloud.cleanup());

const sample = (at: number, fields: Partial<WireHealthSample> = {}): WireHealthSample => ({
  sampledAt: at,
  rssMb: 61.5,
  availableMemMb: 300,
  diskFreeMb: 9000,
  socTempC: 55,
  eventLoopLagMs: 3.5,
  writerQueueDepth: 2,
  ...fields,
});
const fix = (at: number, lat: number, lon: number) => ({
  fixedAt: at,
  lat,
  lon,
  altitudeM: 30,
  mode: 3,
  accuracyM: 4,
  hdop: 0.9,
  speedMps: 12,
  trackDeg: 90,
  source: "gpsd",
});
const hot = {
  memory: "moderate",
  diskBelowFloor: false,
  hot: true,
  lagging: false,
  scanIntervalMultiplier: 2,
};

async function operator(): Promise<string> {
  return `Bearer ${(await createApiKey(cloud.db, { role: "operator" })).key}`;
}

async function merge(deviceId: string, batchSeq: number, runId = "run-1") {
  return mergeBatch({ db: cloud.db, key: { deviceId, runId, batchSeq }, now: () => now });
}

async function rows(sql: string, args: Array<string | number> = []) {
  return (await cloud.db.execute({ sql, args })).rows.map((r) => ({ ...r }));
}

describe("fleet health: what the merge keeps of each batch", () => {
  it("stores the batch's health samples and track, and the device's status from headers and batches", async () => {
    const pi = await createDevice(cloud.db, { name: "pi-a" });
    const batch = {
      ...makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(12)),
      health: [sample(T0 + 1000), sample(T0 + 11_000, { socTempC: 82.5, guards: hot } as never)],
      gpsTrack: [fix(T0 + 1000, -33.8, 151.2), fix(T0 + 2000, -33.81, 151.21)],
    };
    const res = await postBatch(cloud.app, pi.token, batch, {
      headers: { "x-piwardrive-agent-version": "0.3.1", "x-piwardrive-backlog": "4200" },
    });
    expect(res.status).toBe(202);
    expect(await merge(pi.id, 0)).toMatchObject({ status: "merged", insertedCount: 12 });

    expect(
      await rows("SELECT sampled_at, soc_temp_c, guards FROM device_health ORDER BY sampled_at"),
    ).toEqual([
      { sampled_at: T0 + 1000, soc_temp_c: 55, guards: null },
      { sampled_at: T0 + 11_000, soc_temp_c: 82.5, guards: JSON.stringify(hot) },
    ]);
    expect(await rows("SELECT fixed_at, lat, lon FROM device_tracks ORDER BY fixed_at")).toEqual([
      { fixed_at: T0 + 1000, lat: -33.8, lon: 151.2 },
      { fixed_at: T0 + 2000, lat: -33.81, lon: 151.21 },
    ]);

    const body = devicesResponseSchema.parse(
      await (await cloud.app.request("/v1/devices", { headers: { authorization: await operator() } })).json(),
    );
    expect(body.devices).toEqual([
      {
        id: pi.id,
        name: "pi-a",
        revoked: false,
        lastContactAt: new Date(now).toISOString(),
        lastBatchAt: new Date(now).toISOString(),
        observations: 12,
        backlog: 4200,
        agentVersion: "0.3.1",
        health: {
          sampledAt: new Date(T0 + 11_000).toISOString(),
          rssMb: 61.5,
          availableMemMb: 300,
          diskFreeMb: 9000,
          socTempC: 82.5,
          eventLoopLagMs: 3.5,
          writerQueueDepth: 2,
          guards: hot,
        },
        lastPosition: { lat: -33.81, lon: 151.21, fixedAt: new Date(T0 + 2000).toISOString() },
        stale: false,
      },
    ]);
  });

  it("lands a v1 batch without the headers, health or track, and keeps what the device said before", async () => {
    const pi = await createDevice(cloud.db, { name: "pi-b" });
    const first = { ...makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(5)), health: [sample(T0)] };
    await postBatch(cloud.app, pi.token, first, {
      headers: { "x-piwardrive-agent-version": "0.2.0", "x-piwardrive-backlog": "7" },
    });
    await merge(pi.id, 0);
    now += 5000;
    const plain = makeBatch({ deviceId: pi.id, batchSeq: 1 }, manySightings(3, 6));
    const res = await postBatch(cloud.app, pi.token, plain);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });
    expect(await merge(pi.id, 1)).toMatchObject({ status: "merged", insertedCount: 3 });
    const [status] = await rows(
      "SELECT observation_count, agent_version, backlog, last_batch_at, health_sampled_at FROM device_status",
    );
    expect(status).toEqual({
      observation_count: 8,
      agent_version: "0.2.0",
      backlog: 7,
      last_batch_at: now,
      health_sampled_at: T0,
    });
  });

  it("keeps the report of the device's latest batch, whichever of its batches in flight lands last", async () => {
    const pi = await createDevice(cloud.db, { name: "pi-order" });
    const send = async (batchSeq: number, backlog: string, at: number) => {
      now = at;
      const batch = makeBatch({ deviceId: pi.id, batchSeq }, manySightings(2, 1 + batchSeq * 2));
      const res = await postBatch(cloud.app, pi.token, batch, {
        headers: { "x-piwardrive-backlog": backlog },
      });
      expect(res.status).toBe(202);
    };
    const backlog = async () => (await rows("SELECT backlog FROM device_status"))[0]?.backlog;
    await send(2, "0", T0 + 1000); // the small last batch of a drain lands first
    await send(1, "1000", T0 + 2000); // the big one before it lands after it, and the resend of an old one
    expect(await backlog()).toBe(0);
    await send(3, "40", T0 + 3000);
    expect(await backlog()).toBe(40);
    // a device whose database was reset counts from 0 again: after an hour its reports count again
    await send(0, "7", T0 + 3000 + 3_600_001);
    expect(await backlog()).toBe(7);
  });

  it("a replayed merge, a resent batch and an older batch merged late change nothing they should not", async () => {
    const pi = await createDevice(cloud.db, { name: "pi-c" });
    const newer = {
      ...makeBatch({ deviceId: pi.id, batchSeq: 1 }, manySightings(4, 10)),
      health: [sample(T0 + 9000, { diskFreeMb: 100 })],
      gpsTrack: [fix(T0 + 9000, 1, 2)],
    };
    const older = {
      ...makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(4, 1)),
      health: [sample(T0 + 1000, { diskFreeMb: 900 })],
      gpsTrack: [fix(T0 + 1000, 3, 4)],
    };
    await postBatch(cloud.app, pi.token, newer);
    await merge(pi.id, 1);
    const snapshot = async () =>
      JSON.stringify([
        await rows("SELECT * FROM device_status"),
        await rows("SELECT * FROM device_health ORDER BY sampled_at"),
        await rows("SELECT * FROM device_tracks ORDER BY fixed_at"),
      ]);
    const once = await snapshot();
    // the same batch merged again by a stalled job (mergePlan run twice), and resent by the device
    const { mergePlan } = await import("../services/merge-statements.js");
    await cloud.db.batch(
      mergePlan({ deviceId: pi.id, runId: "run-1", batchSeq: 1 }, newer.observations, now, undefined, {
        health: newer.health,
        gpsTrack: newer.gpsTrack,
        keepSince: 0,
      }).statements,
      "write",
    );
    expect(await snapshot()).toBe(once);
    await postBatch(cloud.app, pi.token, older);
    await merge(pi.id, 0);
    const [status] = await rows(
      "SELECT observation_count, disk_free_mb, last_lat, (SELECT count(*) FROM observations) AS n FROM device_status",
    );
    // the older batch adds its sightings and rows, but not its (older) latest sample or position
    expect(status).toEqual({ observation_count: 8, disk_free_mb: 100, last_lat: 1, n: 8 });
    expect((await rows("SELECT count(*) AS n FROM device_health"))[0]?.n).toBe(2);
  });

  it("does not store samples from before the retention or from a clock far in the future", async () => {
    const pi = await createDevice(cloud.db, { name: "pi-d" });
    const batch = {
      ...makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(1)),
      health: [sample(0), sample(T0), sample(now + 3 * 86_400_000)],
    };
    await postBatch(cloud.app, pi.token, batch);
    await merge(pi.id, 0);
    expect(await rows("SELECT sampled_at FROM device_health")).toEqual([{ sampled_at: T0 }]);
  });

  it("refuses a malformed agent header with a 400 naming it, and lands nothing", async () => {
    const pi = await createDevice(cloud.db, { name: "pi-e" });
    const batch = makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(1));
    const bad = await postBatch(cloud.app, pi.token, batch, { headers: { "x-piwardrive-backlog": "-3" } });
    expect((await expectError(bad, 400, "invalid_header")).message).toMatch(/x-piwardrive-backlog/);
    const script = await postBatch(cloud.app, pi.token, batch, {
      headers: { "x-piwardrive-agent-version": "<script>" },
    });
    expect((await expectError(script, 400, "invalid_header")).message).toMatch(/x-piwardrive-agent-version/);
    expect((await rows("SELECT count(*) AS n FROM landed_batches"))[0]?.n).toBe(0);
  });
});

describe("GET /v1/devices and /v1/devices/{id}", () => {
  it("needs an operator key", async () => {
    await expectError(await cloud.app.request("/v1/devices"), 401, "unauthorized");
    const analyst = (await createApiKey(cloud.db, { role: "analyst" })).key;
    const res = await cloud.app.request("/v1/devices", { headers: { authorization: `Bearer ${analyst}` } });
    await expectError(res, 403, "forbidden");
  });

  it("calls a device stale after the stale time without contact, never a revoked one", async () => {
    const auth = await operator();
    const quiet = await createDevice(cloud.db, { name: "quiet", now: T0 - 2 * 3_600_000 });
    const fresh = await createDevice(cloud.db, { name: "fresh", now: T0 });
    const { revokeDevice } = await import("../services/devices.js");
    const gone = await createDevice(cloud.db, { name: "gone", now: T0 - 5 * 3_600_000 });
    await revokeDevice(cloud.db, gone.id);
    const body = devicesResponseSchema.parse(
      await (await cloud.app.request("/v1/devices", { headers: { authorization: auth } })).json(),
    );
    const stale = Object.fromEntries(body.devices.map((d) => [d.name, d.stale]));
    expect(stale).toEqual({ quiet: true, fresh: false, gone: false });
    expect(body.devices.find((d) => d.id === fresh.id)).toMatchObject({ health: null, backlog: null });
    expect(quiet.id).toMatch(/^dev-/);
  });

  it("returns a device's health series and track for a time range, oldest first", async () => {
    const auth = await operator();
    const pi = await createDevice(cloud.db, { name: "pi-f" });
    const batch = {
      ...makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(2)),
      health: [sample(T0 + 3000), sample(T0 + 1000), sample(T0 + 2000)],
      gpsTrack: [fix(T0 + 1500, 5, 6), fix(T0 + 500, 7, 8)],
    };
    await postBatch(cloud.app, pi.token, batch);
    await merge(pi.id, 0);
    const get = async (query: string) =>
      cloud.app.request(`/v1/devices/${pi.id}${query}`, { headers: { authorization: auth } });
    const body = deviceDetailResponseSchema.parse(
      await (await get(`?since=${T0 + 1000}&until=${new Date(T0 + 3000).toISOString()}`)).json(),
    );
    expect(body.health.map((h) => h.sampledAt)).toEqual(
      [T0 + 1000, T0 + 2000].map((t) => new Date(t).toISOString()),
    );
    expect(body.track.map((p) => [p.lat, p.lon])).toEqual([[5, 6]]);
    expect(body.device.id).toBe(pi.id);
    const all = deviceDetailResponseSchema.parse(await (await get("")).json());
    expect(all.track.map((p) => p.lat)).toEqual([7, 5]);
    expect((await expectError(await get("?since=yesterday"), 400, "invalid_argument")).message).toMatch(
      /since/,
    );
    expect((await expectError(await get("?bogus=1"), 400, "invalid_argument")).message).toMatch(/bogus/);
    await expectError(
      await cloud.app.request("/v1/devices/dev-nope", { headers: { authorization: auth } }),
      404,
      "not_found",
    );
  });
});
