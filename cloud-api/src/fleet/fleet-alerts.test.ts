import type { Client } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../logger.js";
import { createDevice } from "../services/devices.js";
import { eventually, openTempDb, REDIS_URL } from "../test-support/test-cloud.js";
import { checkFleetAlerts, pruneDeviceHealth } from "./fleet-alerts.js";
import { startFleetJob } from "./fleet-job.js";
import { DEFAULT_FLEET_THRESHOLDS } from "./fleet-thresholds.js";

const T0 = 1_750_000_000_000;
const MIN = 60_000;
const thresholds = { ...DEFAULT_FLEET_THRESHOLDS, staleAfterMs: 30 * MIN, hotC: 80, lowDiskMb: 500 };

let db: Client;
let cleanup: () => void;
beforeEach(async () => ({ db, cleanup } = await openTempDb()));
afterEach(() => cleanup());

/** What a merge would have left in device_status (the test sets the latest sample directly). */
async function report(deviceId: string, fields: { socTempC?: number | null; diskFreeMb?: number | null }) {
  await db.execute({
    sql: `INSERT INTO device_status (device_id, health_sampled_at, soc_temp_c, disk_free_mb, last_lat, last_lon)
      VALUES (?, ?, ?, ?, -33.8, 151.2)
      ON CONFLICT (device_id) DO UPDATE SET soc_temp_c = excluded.soc_temp_c, disk_free_mb = excluded.disk_free_mb`,
    args: [deviceId, T0, fields.socTempC ?? null, fields.diskFreeMb ?? null],
  });
}

async function contact(deviceId: string, at: number) {
  await db.execute({ sql: "UPDATE devices SET last_seen_at = ? WHERE id = ?", args: [at, deviceId] });
}

async function alerts() {
  const rs = await db.execute(
    "SELECT type, severity, subject_kind, subject_id, dedupe_key, raised_at, cleared_at, evidence, device_id, lat FROM alerts ORDER BY id",
  );
  return rs.rows.map((r) => ({
    type: String(r.type),
    severity: String(r.severity),
    subject_kind: String(r.subject_kind),
    subject_id: String(r.subject_id),
    dedupe_key: String(r.dedupe_key),
    raised_at: Number(r.raised_at),
    cleared_at: r.cleared_at === null ? null : Number(r.cleared_at),
    evidence: JSON.parse(String(r.evidence)) as unknown,
    device_id: r.device_id,
    lat: r.lat,
  }));
}

describe("fleet alerts in the shared alert store", () => {
  it("raises device_stale once per episode, clears it on contact, and opens a new episode later", async () => {
    const pi = await createDevice(db, { name: "pi", now: T0 });
    await contact(pi.id, T0);
    expect((await checkFleetAlerts(db, thresholds, T0 + 10 * MIN)).raised.device_stale).toBe(0);
    expect((await checkFleetAlerts(db, thresholds, T0 + 31 * MIN)).raised.device_stale).toBe(1);
    expect((await checkFleetAlerts(db, thresholds, T0 + 40 * MIN)).raised.device_stale).toBe(0);
    expect(await alerts()).toEqual([
      {
        type: "device_stale",
        severity: "medium",
        subject_kind: "device",
        subject_id: pi.id,
        dedupe_key: `device_stale:${pi.id}:1`,
        raised_at: T0 + 31 * MIN,
        cleared_at: null,
        evidence: { lastContactAt: T0, registeredAt: T0, staleAfterMs: 30 * MIN },
        device_id: null,
        lat: null,
      },
    ]);
    await contact(pi.id, T0 + 50 * MIN);
    expect((await checkFleetAlerts(db, thresholds, T0 + 51 * MIN)).cleared.device_stale).toBe(1);
    expect((await checkFleetAlerts(db, thresholds, T0 + 90 * MIN)).raised.device_stale).toBe(1);
    const all = await alerts();
    expect(all.map((a) => [a.dedupe_key, a.cleared_at])).toEqual([
      [`device_stale:${pi.id}:1`, T0 + 51 * MIN],
      [`device_stale:${pi.id}:2`, null],
    ]);
  });

  it("raises device_hot and device_low_disk from the latest sample, with hysteresis before clearing", async () => {
    const pi = await createDevice(db, { name: "pi", now: T0 });
    await contact(pi.id, T0);
    await report(pi.id, { socTempC: 83.5, diskFreeMb: 120 });
    const first = await checkFleetAlerts(db, thresholds, T0 + MIN);
    expect(first.raised).toEqual({ device_stale: 0, device_hot: 1, device_low_disk: 1 });
    const raised = await alerts();
    expect(raised.map((a) => [a.type, a.severity, a.evidence, a.lat])).toEqual([
      ["device_hot", "high", { socTempC: 83.5, thresholdC: 80, sampledAt: T0 }, -33.8],
      ["device_low_disk", "high", { diskFreeMb: 120, thresholdMb: 500, sampledAt: T0 }, -33.8],
    ]);
    // 78 °C and 550 MB: below / above the thresholds, but not by the clear margins yet
    await report(pi.id, { socTempC: 78, diskFreeMb: 550 });
    const hovering = await checkFleetAlerts(db, thresholds, T0 + 2 * MIN);
    expect(hovering.cleared).toEqual({ device_stale: 0, device_hot: 0, device_low_disk: 0 });
    await report(pi.id, { socTempC: 60, diskFreeMb: 5000 });
    const cool = await checkFleetAlerts(db, thresholds, T0 + 3 * MIN);
    expect(cool.cleared).toEqual({ device_stale: 0, device_hot: 1, device_low_disk: 1 });
    await report(pi.id, { socTempC: 85 });
    await checkFleetAlerts(db, thresholds, T0 + 4 * MIN);
    expect((await alerts()).filter((a) => a.type === "device_hot").map((a) => a.dedupe_key)).toEqual([
      `device_hot:${pi.id}:1`,
      `device_hot:${pi.id}:2`,
    ]);
    // old alerts deleted (retention, by hand): the next episode still gets a key of its own
    await db.execute("DELETE FROM alerts WHERE dedupe_key LIKE '%:1'");
    await report(pi.id, { socTempC: 50 });
    await checkFleetAlerts(db, thresholds, T0 + 5 * MIN);
    await report(pi.id, { socTempC: 90 });
    expect((await checkFleetAlerts(db, thresholds, T0 + 6 * MIN)).raised.device_hot).toBe(1);
    expect((await alerts()).filter((a) => a.type === "device_hot").map((a) => a.dedupe_key)).toEqual([
      `device_hot:${pi.id}:2`,
      `device_hot:${pi.id}:3`,
    ]);
  });

  it("never alerts about a revoked device, and queues a webhook delivery for each alert raised", async () => {
    const { revokeDevice } = await import("../services/devices.js");
    const gone = await createDevice(db, { name: "gone", now: T0 });
    await revokeDevice(db, gone.id, T0);
    await report(gone.id, { socTempC: 95, diskFreeMb: 1 });
    const hot = await createDevice(db, { name: "hot", now: T0 });
    await contact(hot.id, T0);
    await report(hot.id, { socTempC: 90 });
    await db.execute({
      sql: "INSERT INTO webhooks (url, secret, created_at) VALUES ('https://hooks.example/a', 's', ?)",
      args: [T0],
    });
    await checkFleetAlerts(db, thresholds, T0 + 2 * 3_600_000);
    expect((await alerts()).map((a) => [a.type, a.subject_id])).toEqual([
      ["device_stale", hot.id],
      ["device_hot", hot.id],
    ]);
    const deliveries = await db.execute("SELECT alert_id, status FROM webhook_deliveries ORDER BY alert_id");
    expect(deliveries.rows.map((r) => r.status)).toEqual(["pending", "pending"]);
  });

  it("prunes health samples and track points past the retention", async () => {
    for (const at of [T0 - 20 * 86_400_000, T0 - 86_400_000]) {
      await db.execute({
        sql: "INSERT INTO device_health (device_id, sampled_at) VALUES ('d', ?)",
        args: [at],
      });
      await db.execute({
        sql: "INSERT INTO device_tracks (device_id, fixed_at, lat, lon, mode) VALUES ('d', ?, 1, 2, 3)",
        args: [at],
      });
    }
    expect(await pruneDeviceHealth(db, 14 * 86_400_000, T0)).toBe(2);
    const left = await db.execute(
      "SELECT (SELECT count(*) FROM device_health) AS h, (SELECT count(*) FROM device_tracks) AS t",
    );
    expect({ ...left.rows[0] }).toEqual({ h: 1, t: 1 });
  });

  it("runs as a {fleet} BullMQ job scheduler in the worker", async () => {
    const { createWorkerRedis, closeRedis } = await import("../queues/redis.js");
    const connection = createWorkerRedis(REDIS_URL, { name: "test-fleet" });
    const prefix = `test-${crypto.randomUUID()}`;
    const pi = await createDevice(db, { name: "pi", now: Date.now() });
    await contact(pi.id, Date.now());
    await report(pi.id, { diskFreeMb: 10 });
    const job = await startFleetJob({
      db,
      connection,
      location: { prefix },
      thresholds: { ...thresholds, checkEveryMs: 200 },
      logger: memoryLogger(),
    });
    try {
      const raised = await eventually(async () => {
        const rows = await alerts();
        return rows.length > 0 ? rows : undefined;
      });
      expect(raised.map((a) => a.dedupe_key)).toEqual([`device_low_disk:${pi.id}:1`]);
      const schedulers = await job.queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.every])).toEqual([["fleet-check", 200]]);
    } finally {
      await job.worker.close();
      await job.queue.obliterate({ force: true });
      await job.close();
      await closeRedis(connection);
    }
  });
});
