import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { migrateCloud } from "@piwardrive/migrations";
import { parseDailyStatsQuery, readDailyStats } from "../analyst/daily-stats.js";
import { readHeatmap } from "../analyst/heatmap.js";
import { parseHeatmapQuery } from "../analyst/heatmap-query.js";
import { openCloudDb } from "../db/cloud-db.js";
import { mergePlan } from "../services/merge-statements.js";
import { T0 } from "../test-support/batches.js";
import { driveBatch } from "./drive-batches.js";

/*
 * Heatmap and daily-stats read latency (the services, no HTTP) on a database merged from synthetic drives
 * (driveBatch: `batches` x `rows` sightings over `networks` networks on a ~55 m grid, `perDay` batches per
 * UTC day). Each query shape runs `repeat` times; p50 / p95 in ms.
 * `node cloud-api/dist/bench/heatmap-read.js [batches] [rows] [networks] [perDay] [repeat]`.
 */

const [batches = 300, rows = 2000, networks = 40_000, perDay = 10, repeat = 40] = process.argv
  .slice(2)
  .map(Number);
const DAY = 86_400_000;
const day0 = Math.floor(T0 / DAY) * DAY;
const lastDay = day0 + Math.floor((batches - 1) / perDay) * DAY;

const dir = mkdtempSync(join(tmpdir(), "pw-heatmap-read-"));
const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
try {
  await migrateCloud(db);
  const built = performance.now();
  for (let b = 0; b < batches; b++) {
    const key = { deviceId: `dev-${b % 20}`, runId: "run-1", batchSeq: b };
    await db.batch(mergePlan(key, driveBatch(b, { rows, networks, perDay }), T0 + b).statements, "write");
  }
  const buildS = (performance.now() - built) / 1000;
  const counts = (
    await db.execute(`SELECT (SELECT count(*) FROM observations) AS o, (SELECT count(*) FROM networks) AS n,
      (SELECT count(*) FROM heatmap_presence) AS p, (SELECT count(*) FROM heatmap_cells) AS c`)
  ).rows[0];
  console.log(
    `nproc=${cpus().length} sightings=${counts?.o} networks=${counts?.n} presence=${counts?.p} cell-days=${counts?.c} built in ${buildS.toFixed(1)} s`,
  );

  const city = "151.19,-33.81,151.32,-33.68"; // the whole grid, ~12 km
  const street = "151.25,-33.75,151.254,-33.746";
  const shapes: [string, () => Promise<unknown>][] = [
    ["heatmap city all-time (auto resolution)", () => read({ bbox: city })],
    ["heatmap street all-time", () => read({ bbox: street })],
    ["heatmap city one day", () => read({ bbox: city, since: String(lastDay), until: String(lastDay) })],
    [
      "heatmap city 7 days",
      () => read({ bbox: city, since: String(lastDay - 6 * DAY), until: String(lastDay) }),
    ],
    [
      "heatmap street 7 days",
      () => read({ bbox: street, since: String(lastDay - 6 * DAY), until: String(lastDay) }),
    ],
    [
      "daily stats 366 days",
      () =>
        readDailyStats(
          db,
          parseDailyStatsQuery({ since: String(lastDay - 365 * DAY), until: String(lastDay) }, lastDay),
        ),
    ],
  ];
  for (const [name, run] of shapes) {
    const ms: number[] = [];
    let size = 0;
    for (let i = 0; i < repeat; i++) {
      const started = performance.now();
      const answer = await run();
      ms.push(performance.now() - started);
      size = JSON.stringify(answer).length;
    }
    ms.sort((a, b) => a - b);
    const p = (q: number) => (ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0).toFixed(1);
    console.log(`${name.padEnd(42)} p50=${p(0.5)} ms p95=${p(0.95)} ms (${size} bytes of JSON)`);
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

async function read(params: Record<string, string>) {
  return readHeatmap(db, parseHeatmapQuery(params, lastDay));
}
