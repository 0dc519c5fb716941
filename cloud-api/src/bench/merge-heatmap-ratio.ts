import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { InStatement } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { openCloudDb } from "../db/cloud-db.js";
import { dailyStatsAfter, dailyStatsBefore } from "../services/merge-daily-stats.js";
import { heatmapCellStatements } from "../services/merge-heatmap-cells.js";
import { mergePlan } from "../services/merge-statements.js";
import { sighting, T0 } from "../test-support/batches.js";

/*
 * Merge throughput with and without the heatmap cells and daily stats, in the same run on the same
 * batches (alternated, so drift on a loaded machine hits both). The batches are drives (below) over a
 * ~3 km square of networks, one device per batch, a new UTC day every `perDay` batches, so transmitters
 * keep entering new cells and days. `node cloud-api/dist/bench/merge-heatmap-ratio.js [batches] [rows] [networks] [perDay]`.
 */

const [batches = 30, rows = 2000, networks = 3000, perDay = 5] = process.argv.slice(2).map(Number);
const DAY = 86_400_000;
const HEATMAP_SQL = new Set(
  [...heatmapCellStatements(), ...dailyStatsBefore(), ...dailyStatsAfter("x")].map((s) =>
    typeof s === "string" ? s : s.sql,
  ),
);

/** Networks on a grid ~55 m apart (5e-4 degrees) around (-33.8, 151.2), `side` per row. */
const side = Math.ceil(Math.sqrt(networks));
const STEP = 5e-4;

/**
 * One drive: the car moves ~10 m per scan along a straight line (a different one per batch) and each scan
 * sees the networks within ~150 m (about 25 of them), each sighting placed at the car: an AP is seen ~30
 * times as the car passes, in 1 to 3 precision-7 cells.
 */
function batch(b: number): WireObservation[] {
  const out: WireObservation[] = [];
  const day = Math.floor(b / perDay);
  const heading = (b * 2.399) % (2 * Math.PI);
  const start = { x: ((b * 0.37) % 1) * side, y: ((b * 0.61) % 1) * side };
  for (let scan = 0; out.length < rows; scan++) {
    const d = scan * 0.18; // grid units: 0.18 * 55 m = 10 m
    const x = (((start.x + Math.cos(heading) * d) % side) + side) % side;
    const y = (((start.y + Math.sin(heading) * d) % side) + side) % side;
    for (let gx = Math.ceil(x - 2.7); gx <= x + 2.7 && out.length < rows; gx++) {
      for (let gy = Math.ceil(y - 2.7); gy <= y + 2.7 && out.length < rows; gy++) {
        if ((gx - x) ** 2 + (gy - y) ** 2 > 2.7 ** 2 || gx < 0 || gy < 0 || gx >= side || gy >= side)
          continue;
        const n = gy * side + gx;
        if (n >= networks) continue;
        const mac = `00:00:0c:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}:01`;
        out.push(
          sighting(b * rows + out.length + 1, mac, {
            kind: n % 9 === 0 ? "ble" : "wifi",
            ssid: `net-${n}`,
            authMode: "WPA2",
            channel: 6,
            seenAt: T0 + day * DAY + (b % perDay) * 3_600_000 + scan * 1000,
            rssiDbm: -40 - ((n * 13 + scan) % 50),
            lat: -33.8 + y * STEP,
            lon: 151.2 + x * STEP,
          }),
        );
      }
    }
  }
  return out;
}

async function run(withCells: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-heatmap-"));
  const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
  try {
    await migrateCloud(db);
    let elapsed = 0;
    for (let b = 0; b < batches; b++) {
      const key = { deviceId: `dev-${b % 3}`, runId: "run-1", batchSeq: b };
      let statements: InStatement[] = mergePlan(key, batch(b), T0 + b).statements;
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
