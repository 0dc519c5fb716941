import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { InStatement } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { openCloudDb } from "../db/cloud-db.js";
import { networkEstimatesAfter, networkEstimatesBefore } from "../services/merge-network-estimates.js";
import { mergePlan, UPSERT_NETWORKS, upsertNetworksSql } from "../services/merge-statements.js";
import { sighting, T0 } from "../test-support/batches.js";

/*
 * Merge throughput with and without the network estimates, in the same run on the same batches:
 * "without" drops the estimate statements, the estimate columns of the networks upsert
 * (upsertNetworksSql(false)) and the indexes they added (observations seen-key, networks seen/rssi), with
 * the schema's former last_seen index back. The as-of history is written only while a search cursor is
 * pinned (decision 0022): a third run pins one before every merge.
 * `node cloud-api/dist/bench/merge-estimates-ratio.js [batches] [rows] [networks]`.
 */

const [batches = 30, rows = 2000, networks = 3000] = process.argv.slice(2).map(Number);
const ESTIMATE_SQL = new Set(
  [...networkEstimatesBefore({}, 0), ...networkEstimatesAfter()].map((s) =>
    typeof s === "string" ? s : s.sql,
  ),
);
const BASE_UPSERT = upsertNetworksSql(false);
const ADDED_INDEXES = [
  "cloud_observations_seen_key_idx",
  "cloud_networks_seen_walk_idx",
  "cloud_networks_rssi_mac_idx",
];
// What the schema had before the estimates: a plain last_seen index (since replaced by seen_mac).
const BASE_INDEXES = ["CREATE INDEX cloud_networks_seen_idx ON networks (last_seen)"];

function batch(b: number): WireObservation[] {
  return Array.from({ length: rows }, (_, i) => {
    const n = (b * 997 + i * 7) % networks;
    const mac = `00:00:0c:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}:01`;
    return sighting(b * rows + i + 1, mac, {
      ssid: `net-${n}`,
      authMode: "WPA2",
      channel: 6,
      frequencyMhz: 2437,
      seenAt: T0 + (b * rows + i) * 100,
      rssiDbm: -40 - ((i * 13) % 50),
      lat: -33.8 + n * 1e-5 + (i % 5) * 1e-6,
      lon: 151.2 + n * 1e-5,
    });
  });
}

/** Rows per second of wall time, and per CPU-second of this process (steadier on a shared machine). */
async function run(withEstimates: boolean, paged = false): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-ratio-"));
  const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
  try {
    await migrateCloud(db);
    if (!withEstimates) {
      for (const index of ADDED_INDEXES) await db.execute(`DROP INDEX ${index}`);
      for (const sql of BASE_INDEXES) await db.execute(sql);
    }
    let elapsed = 0;
    let cpuMs = 0;
    for (let b = 0; b < batches; b++) {
      const key = { deviceId: `dev-${b % 3}`, runId: "run-1", batchSeq: b };
      let statements: InStatement[] = mergePlan(key, batch(b), T0 + b).statements;
      if (!withEstimates)
        statements = statements
          .filter((s) => !ESTIMATE_SQL.has(typeof s === "string" ? s : s.sql))
          .map((s) => (typeof s !== "string" && s.sql === UPSERT_NETWORKS ? BASE_UPSERT : s));
      // An analyst paging all along: a cursor pinned before every merge, so each keeps the as-of history.
      if (paged) await db.execute("UPDATE merge_generation SET paged_generation = generation");
      const cpu = process.cpuUsage();
      const started = performance.now();
      await db.batch(statements, "write");
      elapsed += performance.now() - started;
      const used = process.cpuUsage(cpu);
      cpuMs += (used.user + used.system) / 1000;
    }
    return { wall: (batches * rows) / (elapsed / 1000), cpu: (batches * rows) / (cpuMs / 1000) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Alternate the two twice so drift on a loaded machine hits both.
const without = [await run(false)];
const withAll = [await run(true)];
without.push(await run(false));
withAll.push(await run(true));
const paged = [await run(true, true), await run(true, true)];
const best = (xs: { wall: number; cpu: number }[], k: "wall" | "cpu") => Math.max(...xs.map((x) => x[k]));
const shown = (xs: { wall: number; cpu: number }[]) =>
  xs.map((x) => `${x.wall.toFixed(0)} (${x.cpu.toFixed(0)} per cpu-s)`).join(", ");
console.log(`nproc=${cpus().length} batches=${batches} rows=${rows} networks=${networks}`);
console.log(`without estimates: ${shown(without)} rows/s`);
console.log(`with estimates:    ${shown(withAll)} rows/s`);
console.log(`with estimates, a cursor pinned before each merge: ${shown(paged)} rows/s`);
console.log(
  `cpu ratio ${(best(withAll, "cpu") / best(without, "cpu")).toFixed(3)}; ` +
    `paged ${(best(paged, "wall") / best(without, "wall")).toFixed(3)} (cpu ${(best(paged, "cpu") / best(without, "cpu")).toFixed(3)})`,
);
console.log(`merge_ratio_with_aggregates=${(best(withAll, "wall") / best(without, "wall")).toFixed(3)}`);
