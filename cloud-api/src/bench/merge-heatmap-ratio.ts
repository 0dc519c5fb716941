import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { InStatement } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import { openCloudDb } from "../db/cloud-db.js";
import { dailyStatsAfter, dailyStatsBefore } from "../services/merge-daily-stats.js";
import { heatmapCellStatements } from "../services/merge-heatmap-cells.js";
import { mergePlan } from "../services/merge-statements.js";
import { T0 } from "../test-support/batches.js";
import { driveBatch } from "./drive-batches.js";

/*
 * Merge throughput with and without the heatmap cells and daily stats, in the same run on the same
 * batches (alternated, so drift on a loaded machine hits both). The batches are drives (driveBatch) over a
 * ~3 km square of networks, one device per batch, a new UTC day every `perDay` batches, so transmitters
 * keep entering new cells and days. `node cloud-api/dist/bench/merge-heatmap-ratio.js [batches] [rows] [networks] [perDay]`.
 */

const [batches = 30, rows = 2000, networks = 3000, perDay = 5] = process.argv.slice(2).map(Number);
const HEATMAP_SQL = new Set(
  [...heatmapCellStatements(), ...dailyStatsBefore(), ...dailyStatsAfter("x")].map((s) =>
    typeof s === "string" ? s : s.sql,
  ),
);

async function run(withCells: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-heatmap-"));
  const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
  try {
    await migrateCloud(db);
    let elapsed = 0;
    for (let b = 0; b < batches; b++) {
      const key = { deviceId: `dev-${b % 3}`, runId: "run-1", batchSeq: b };
      let statements: InStatement[] = mergePlan(
        key,
        driveBatch(b, { rows, networks, perDay }),
        T0 + b,
      ).statements;
      if (!withCells)
        statements = statements.filter((s) => !HEATMAP_SQL.has(typeof s === "string" ? s : s.sql));
      const started = performance.now();
      await db.batch(statements, "write");
      elapsed += performance.now() - started;
    }
    if (withCells) {
      const rs = await db.execute(
        "SELECT (SELECT count(*) FROM heatmap_presence) AS presence, (SELECT count(*) FROM heatmap_cells) AS cells",
      );
      console.log(`presence rows ${rs.rows[0]?.presence}, cell-day rows ${rs.rows[0]?.cells}`);
    }
    return (batches * rows) / (elapsed / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const without: number[] = [];
const withCells: number[] = [];
for (let round = 0; round < 3; round++) {
  without.push(await run(false));
  withCells.push(await run(true));
}
const best = (xs: number[]) => Math.max(...xs);
console.log(`nproc=${cpus().length} batches=${batches} rows=${rows} networks=${networks} perDay=${perDay}`);
console.log(`without cells and daily stats: ${without.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`with cells and daily stats:    ${withCells.map((x) => x.toFixed(0)).join(", ")} rows/s`);
console.log(`merge_ratio_with_heatmap=${(best(withCells) / best(without)).toFixed(3)}`);
