import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Client, InStatement } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import { openCloudDb } from "../db/cloud-db.js";
import { dailyStatsAfter, dailyStatsBefore } from "../services/merge-daily-stats.js";
import { heatmapCellStatements } from "../services/merge-heatmap-cells.js";
import { mergePlan } from "../services/merge-statements.js";
import { T0 } from "../test-support/batches.js";
import { driveBatch } from "./drive-batches.js";

/*
 * Merge throughput with and without the heatmap cells and daily stats, in the same run on the same
 * batches, merged in lockstep into two databases (so a burst of load from other processes hits both). The batches are drives (driveBatch) over a
 * ~3 km square of networks, one device per batch, a new UTC day every `perDay` batches, so transmitters
 * keep entering new cells and days. `node cloud-api/dist/bench/merge-heatmap-ratio.js [batches] [rows] [networks] [perDay] [rounds]`.
 */

const [batches = 30, rows = 2000, networks = 3000, perDay = 5, rounds = 3] = process.argv
  .slice(2)
  .map(Number);
const HEATMAP_SQL = new Set(
  [...heatmapCellStatements(), ...dailyStatsBefore(), ...dailyStatsAfter("x")].map((s) =>
    typeof s === "string" ? s : s.sql,
  ),
);

/** Two fresh databases merged in lockstep, batch by batch (alternating which goes first), so both
 *  variants see the same moment's load; returns rows/s without and with the heatmap statements. */
async function round(): Promise<[number, number]> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-heatmap-"));
  const dbs: Client[] = [
    await openCloudDb({ db: join(dir, "without.db"), busyTimeoutMs: 5000 }),
    await openCloudDb({ db: join(dir, "with.db"), busyTimeoutMs: 5000 }),
  ];
  try {
    for (const db of dbs) await migrateCloud(db);
    const elapsed = [0, 0];
    for (let b = 0; b < batches; b++) {
      const key = { deviceId: `dev-${b % 3}`, runId: "run-1", batchSeq: b };
      const all: InStatement[] = mergePlan(key, driveBatch(b, { rows, networks, perDay }), T0 + b).statements;
      const plans = [all.filter((s) => !HEATMAP_SQL.has(typeof s === "string" ? s : s.sql)), all];
      for (const v of b % 2 === 0 ? [0, 1] : [1, 0]) {
        const started = performance.now();
        await dbs[v]?.batch(plans[v] ?? [], "write");
        elapsed[v] = (elapsed[v] ?? 0) + performance.now() - started;
      }
    }
    return [(batches * rows) / ((elapsed[0] ?? 1) / 1000), (batches * rows) / ((elapsed[1] ?? 1) / 1000)];
  } finally {
    for (const db of dbs) db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const without: number[] = [];
const withCells: number[] = [];
for (let r = 0; r < rounds; r++) {
  const [a, b] = await round();
  without.push(a);
  withCells.push(b);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ratios = withCells.map((w, i) => w / (without[i] ?? w));
console.log(
  `nproc=${cpus().length} batches=${batches} rows=${rows} networks=${networks} perDay=${perDay} rounds=${rounds}`,
);
console.log(`without cells and daily stats: ${without.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`with cells and daily stats:    ${withCells.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`round ratios: ${ratios.map((r) => r.toFixed(3)).join(", ")}`);
console.log(`merge_ratio_with_heatmap=${median(ratios).toFixed(3)}`);
