import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { createDevice, landBatch, mergeBatch, openCloudDb } from "@piwardrive/cloud-api";
import { migrateCloud } from "@piwardrive/migrations";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterAll, describe, expect, it } from "vitest";
import { cloudMergeFloor } from "./sync-floor.js";
import { edgeBatches } from "./sync-wire.js";
import { syntheticObservations } from "./synthetic-observations.js";

/*
 * bench:sync compares the drain with a better-sqlite3 merge floor. The ratio is only fair if the floor
 * keeps the same aggregates as the real merge: same observations, networks (with the estimates), days,
 * device links and SSID history, from the same batches.
 */

const dir = mkdtempSync(join(tmpdir(), "pw-floor-vs-merge-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 15_000;
const SEED = 3;

const NETWORKS = `SELECT mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen,
  observation_count, device_count, best_rssi_dbm, best_lat, best_lon, day_count, confidence,
  round(weight_sum, 12) AS w, round(lat, 9) AS lat, round(lon, 9) AS lon, round(radius_m, 6) AS radius,
  created_generation, changed_generation FROM networks ORDER BY mac`;
const OTHERS = [
  "SELECT count(*) AS n, sum(seq) AS seqs FROM observations",
  "SELECT mac, ssid, auth_mode, channel, first_seen, last_seen, count FROM ssid_history ORDER BY 1, 2, 3, 4",
  "SELECT mac, day FROM network_days ORDER BY 1, 2",
  "SELECT mac, first_seen, last_seen, observations, first_generation FROM network_devices ORDER BY 1",
  "SELECT count(*) AS n, sum(generation) AS g FROM network_history",
];

async function snapshot(path: string) {
  const db = createClient({ url: `file:${path}`, intMode: "number" });
  try {
    const all = [NETWORKS, ...OTHERS];
    return await Promise.all(all.map(async (sql) => (await db.execute(sql)).rows.map((r) => ({ ...r }))));
  } finally {
    db.close();
  }
}

describe("the cloud merge floor of bench:sync", () => {
  it("ends with the same observations and aggregates as the real merge", async () => {
    const mergedPath = join(dir, "merged.db");
    const db = await openCloudDb({ db: mergedPath });
    await migrateCloud(db);
    const device = await createDevice(db, { name: "floor-check" });
    const ids = { deviceId: device.id, runId: "floor-run" };
    try {
      for (const batch of edgeBatches(syntheticObservations({ rows: ROWS, seed: SEED }), ids)) {
        const encoded = await encodeDeltaBatch(batch);
        await landBatch(db, {
          batch,
          payload: encoded.body,
          contentEncoding: encoded.contentEncoding,
          receivedAt: 1,
        });
        await mergeBatch({ db, key: { ...ids, batchSeq: batch.batchSeq } });
      }
    } finally {
      db.close();
    }
    const floorPath = join(dir, "floor.db");
    const floor = cloudMergeFloor(floorPath, ROWS, SEED, ids);
    expect(floor.inserted).toBe(ROWS);
    const [merged, floored] = [await snapshot(mergedPath), await snapshot(floorPath)];
    expect(floored[0]?.length).toBeGreaterThan(100);
    expect(floored).toEqual(merged);
  });
});
