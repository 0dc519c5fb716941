import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { InStatement } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { openCloudDb } from "../db/cloud-db.js";
import { networkEstimatesAfter, networkEstimatesBefore } from "../services/merge-network-estimates.js";
import { mergePlan } from "../services/merge-statements.js";
import { sighting, T0 } from "../test-support/batches.js";

/*
 * Merge throughput with and without the network estimates, in the same run on the same batches:
 * "without" drops the estimate statements and the indexes they added (observations seen-key, networks
 * seen/rssi/changed). `node cloud-api/dist/bench/merge-estimates-ratio.js [batches] [rows] [networks]`.
 */

const [batches = 30, rows = 2000, networks = 3000] = process.argv.slice(2).map(Number);
const ESTIMATE_SQL = new Set(
  [...networkEstimatesBefore([]), ...networkEstimatesAfter(0)].map((s) =>
    typeof s === "string" ? s : s.sql,
  ),
);
const ADDED_INDEXES = [
  "cloud_observations_seen_key_idx",
  "cloud_networks_seen_mac_idx",
  "cloud_networks_rssi_mac_idx",
  "cloud_networks_changed_idx",
];

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

async function run(withEstimates: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-ratio-"));
  const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
  try {
    await migrateCloud(db);
    if (!withEstimates) for (const index of ADDED_INDEXES) await db.execute(`DROP INDEX ${index}`);
    let elapsed = 0;
    for (let b = 0; b < batches; b++) {
      const key = { deviceId: `dev-${b % 3}`, runId: "run-1", batchSeq: b };
      let statements: InStatement[] = mergePlan(key, batch(b), T0 + b).statements;
      if (!withEstimates)
        statements = statements.filter((s) => !ESTIMATE_SQL.has(typeof s === "string" ? s : s.sql));
      const started = performance.now();
      await db.batch(statements, "write");
      elapsed += performance.now() - started;
    }
    return (batches * rows) / (elapsed / 1000);
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
const best = (xs: number[]) => Math.max(...xs);
console.log(`nproc=${cpus().length} batches=${batches} rows=${rows} networks=${networks}`);
console.log(`without estimates: ${without.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`with estimates:    ${withAll.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`merge_ratio_with_aggregates=${(best(withAll) / best(without)).toFixed(3)}`);
