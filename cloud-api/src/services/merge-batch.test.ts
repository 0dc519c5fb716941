import type { Client } from "@libsql/client";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PoisonBatchError } from "../errors.js";
import { makeBatch, sighting, T0 } from "../test-support/batches.js";
import { openTempDb } from "../test-support/test-cloud.js";
import { landBatch } from "./land-batch.js";
import { mergeBatch } from "./merge-batch.js";
import { readMergeGeneration } from "./merge-generation.js";
import { mergePlan } from "./merge-statements.js";

const M1 = "aa:aa:aa:aa:aa:01";
const M2 = "aa:aa:aa:aa:aa:02";

let db: Client;
let cleanup: () => void;
beforeEach(async () => ({ db, cleanup } = await openTempDb()));
afterEach(() => cleanup());

async function land(batch: ReturnType<typeof makeBatch>) {
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(db, { batch, payload: encoded.body, contentEncoding: "gzip", receivedAt: T0 });
  return { deviceId: batch.deviceId, runId: batch.runId, batchSeq: batch.batchSeq };
}

async function network(mac: string) {
  return (await db.execute({ sql: "SELECT * FROM networks WHERE mac = ?", args: [mac] })).rows[0];
}

async function snapshot(tables = ["observations", "networks", "network_devices", "landed_batches"]) {
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = (await db.execute(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)).rows;
  return JSON.stringify(out);
}

// rssiWeight(dBm) = 10^(dBm/10) mW: -40 -> 1e-4, -50 -> 1e-5, -60 -> 1e-6, -70 -> 1e-7. In units of 1e-7
// those are 1000, 100, 10, 1, which keeps the hand arithmetic below exact.
const deviceA = makeBatch({ deviceId: "dev-a", runId: "run-a" }, [
  sighting(1, M1, { ssid: "CafeNet", authMode: "WPA2", channel: 6, rssiDbm: -50, lat: 10, lon: 20 }),
  sighting(2, M1, { ssid: null, authMode: "WPA3", channel: 11, rssiDbm: -60, lat: 11, lon: 22 }),
  sighting(3, M2, { ssid: "Other", rssiDbm: null }),
  // heard earlier than seq 1 (seenAt T0 + 500 < T0 + 1000) and the strongest of all
  sighting(4, M1, { ssid: "OldName", rssiDbm: -40, lat: 12, lon: 24, seenAt: T0 + 500 }),
]);
const deviceB = makeBatch({ deviceId: "dev-b", runId: "run-b" }, [
  sighting(1, M1, { ssid: "CafeNet-B", rssiDbm: -70, lat: 20, lon: 40, seenAt: T0 + 5000 }),
]);

describe("mergeBatch", () => {
  it("inserts exactly the batch's observations and computes the aggregates", async () => {
    const outcome = await mergeBatch({ db, key: await land(deviceA), now: () => T0 + 9 });
    expect(outcome).toEqual({ status: "merged", insertedCount: 4, receivedAt: T0, mergedAt: T0 + 9 });
    const seqs = await db.execute("SELECT device_id, run_id, seq, mac FROM observations ORDER BY seq");
    expect(seqs.rows.map((r) => [r.device_id, r.run_id, r.seq, r.mac])).toEqual([
      ["dev-a", "run-a", 1, M1],
      ["dev-a", "run-a", 2, M1],
      ["dev-a", "run-a", 3, M2],
      ["dev-a", "run-a", 4, M1],
    ]);
    const m1 = await network(M1);
    expect(m1).toMatchObject({
      observation_count: 3,
      first_seen: T0 + 500,
      last_seen: T0 + 2000,
      ssid: "CafeNet", // the latest non-empty name (seq 2 is hidden, seq 4 is older)
      auth_mode: "WPA3",
      channel: 11,
      best_rssi_dbm: -40,
      best_lat: 12,
      best_lon: 24,
      device_count: 1,
    });
    // weights 100, 10, 1000 (x 1e-7) at (10,20), (11,22), (12,24)
    expect(m1?.weight_sum).toBeCloseTo(1110e-7, 12);
    expect(m1?.lat).toBeCloseTo((100 * 10 + 10 * 11 + 1000 * 12) / 1110, 9);
    expect(m1?.lon).toBeCloseTo((100 * 20 + 10 * 22 + 1000 * 24) / 1110, 9);
    const m2 = await network(M2);
    expect(m2).toMatchObject({ observation_count: 1, best_rssi_dbm: null, lat: null, weight_sum: 0 });
    const batch = await db.execute("SELECT status, inserted_count, merged_at FROM landed_batches");
    expect(batch.rows[0]).toMatchObject({ status: "merged", inserted_count: 4, merged_at: T0 + 9 });
  });

  it("counts devices and folds a second device's sightings into the same network", async () => {
    await mergeBatch({ db, key: await land(deviceA) });
    await mergeBatch({ db, key: await land(deviceB) });
    const m1 = await network(M1);
    expect(m1).toMatchObject({
      observation_count: 4,
      device_count: 2,
      first_seen: T0 + 500,
      last_seen: T0 + 5000,
      ssid: "CafeNet-B", // newer batch wins the name
      best_rssi_dbm: -40, // a weaker sighting does not replace the best one
      best_lat: 12,
    });
    expect(m1?.lat).toBeCloseTo((100 * 10 + 10 * 11 + 1000 * 12 + 1 * 20) / 1111, 9);
    expect(m1?.lon).toBeCloseTo((100 * 20 + 10 * 22 + 1000 * 24 + 1 * 40) / 1111, 9);
    expect((await network(M2))?.device_count).toBe(1);
    const seenBy = await db.execute(
      "SELECT mac, device_id, first_seen, last_seen FROM network_devices ORDER BY 1, 2",
    );
    expect(seenBy.rows.map((r) => [r.mac, r.device_id, r.first_seen, r.last_seen])).toEqual([
      [M1, "dev-a", T0 + 500, T0 + 2000],
      [M1, "dev-b", T0 + 5000, T0 + 5000],
      [M2, "dev-a", T0 + 3000, T0 + 3000],
    ]);
  });

  it("changes nothing when the same batch is merged again", async () => {
    const key = await land(deviceA);
    await mergeBatch({ db, key, now: () => T0 });
    const before = await snapshot();
    expect(await mergeBatch({ db, key, now: () => T0 + 1 })).toEqual({
      status: "already_merged",
      insertedCount: 4,
    });
    expect(await snapshot()).toBe(before);
  });

  it("changes nothing when a replayed merge finds its rows already stored (stalled job, status reset)", async () => {
    const key = await land(deviceA);
    await mergeBatch({ db, key });
    const fleet = ["observations", "networks", "network_devices"];
    const before = await snapshot(fleet);
    // as if a second worker had read the row before the first committed: the full transaction runs again
    await db.execute("UPDATE landed_batches SET status = 'landed'");
    expect(await mergeBatch({ db, key })).toMatchObject({ status: "merged", insertedCount: 0 });
    expect(await snapshot(fleet)).toBe(before);
  });

  it("keeps the first inserted_count when two workers both run the transaction (both read 'landed')", async () => {
    const key = await land(deviceA);
    const plan = mergePlan(key, deviceA.observations, T0);
    const first = await db.batch(plan.statements, "write");
    const second = await db.batch(mergePlan(key, deviceA.observations, T0 + 1).statements, "write");
    expect([first[plan.inserted]?.rowsAffected, second[plan.inserted]?.rowsAffected]).toEqual([4, 0]);
    expect(second[plan.marked]?.rowsAffected).toBe(0);
    const row = (await db.execute("SELECT inserted_count, merged_at FROM landed_batches")).rows[0];
    expect(row).toMatchObject({ inserted_count: 4, merged_at: T0 });
    expect((await network(M1))?.observation_count).toBe(3);
  });

  it("updates aggregates only from rows it actually inserted when batches overlap", async () => {
    await mergeBatch({ db, key: await land(deviceA) });
    // seqs 3 and 4 are already stored (with other content); only seq 5 is new
    const overlap = makeBatch({ deviceId: "dev-a", runId: "run-a", batchSeq: 1 }, [
      sighting(3, M1, { rssiDbm: -10, lat: 50, lon: 50 }),
      sighting(4, M1, { rssiDbm: -10, lat: 50, lon: 50 }),
      sighting(5, M2, { rssiDbm: -80, lat: 1, lon: 2 }),
    ]);
    expect(await mergeBatch({ db, key: await land(overlap) })).toMatchObject({
      status: "merged",
      insertedCount: 1,
    });
    expect((await network(M1))?.observation_count).toBe(3);
    expect((await network(M1))?.best_rssi_dbm).toBe(-40);
    expect(await network(M2)).toMatchObject({ observation_count: 2, best_rssi_dbm: -80, lat: 1, lon: 2 });
  });

  it("stores the first copy of a seq that a batch holds twice, and counts only that one", async () => {
    const key = { deviceId: "dev-a", runId: "run-a", batchSeq: 1 };
    // M2's transmitter comes first in the batch, so an order by transmitter would store seq 7's second copy.
    const rows = [
      sighting(5, M2, { rssiDbm: -70 }),
      sighting(7, M1, { rssiDbm: -40 }),
      sighting(7, M2, { rssiDbm: -60 }),
    ];
    const plan = mergePlan(key, rows, T0);
    const results = await db.batch(plan.statements, "write");
    expect(results[plan.inserted]?.rowsAffected).toBe(2);
    const stored = await db.execute("SELECT seq, mac, rssi_dbm FROM observations ORDER BY seq");
    expect(stored.rows.map((r) => [r.seq, r.mac, r.rssi_dbm])).toEqual([
      [5, M2, -70],
      [7, M1, -40],
    ]);
    expect((await network(M1))?.observation_count).toBe(1);
    expect((await network(M2))?.observation_count).toBe(1);
  });

  it("bumps the merge generation once per merge that inserted rows, never on a replay", async () => {
    expect(await readMergeGeneration(db)).toEqual({ generation: 0, changedAt: null });
    const key = await land(deviceA);
    await mergeBatch({ db, key, now: () => T0 + 7 });
    expect(await readMergeGeneration(db)).toEqual({ generation: 1, changedAt: T0 + 7 });
    await db.execute("UPDATE landed_batches SET status = 'landed'");
    await mergeBatch({ db, key, now: () => T0 + 8 });
    expect(await readMergeGeneration(db)).toEqual({ generation: 1, changedAt: T0 + 7 });
    await mergeBatch({ db, key: await land(deviceB), now: () => T0 + 9 });
    expect(await readMergeGeneration(db)).toEqual({ generation: 2, changedAt: T0 + 9 });
  });

  it("marks an undecodable payload failed with its reason and reports it as poison", async () => {
    await db.execute({
      sql: `INSERT INTO landed_batches (device_id, run_id, batch_seq, status, first_seq, last_seq,
        observation_count, payload, content_encoding, received_at) VALUES ('dev-x', 'r', 0, 'landed', 1, 1, 1, ?, 'gzip', 0)`,
      args: [new Uint8Array([1, 2, 3, 4])],
    });
    const key = { deviceId: "dev-x", runId: "r", batchSeq: 0 };
    await expect(mergeBatch({ db, key })).rejects.toBeInstanceOf(PoisonBatchError);
    const row = (await db.execute("SELECT status, error FROM landed_batches")).rows[0];
    expect(row?.status).toBe("failed");
    expect(String(row?.error)).toMatch(/^bad_compression: /);
    expect((await db.execute("SELECT count(*) AS n FROM observations")).rows[0]?.n).toBe(0);
    await expect(mergeBatch({ db, key })).rejects.toThrow(/failed earlier: bad_compression/);
  });
});
