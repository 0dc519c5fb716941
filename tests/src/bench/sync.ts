/**
 * Sync benchmark: what the edge puts on the wire, how fast the cloud drains an edge backlog, and how fast
 * it accepts uploads from a fleet.
 *
 *   npm run bench:sync -- [--observations 1000000] [--wire-rows 100000] [--ingest-rows 100000] [--seed 1]
 *
 * (`--rows` is the old name of `--observations`.)
 *
 * 1. wire: --wire-rows synthetic sightings batched (5,000 per batch) and encoded with encodeDeltaBatch,
 *    against the same sightings as a WiGLE 1.4 CSV compressed by the real `gzip -9`.
 * 2. drain: an edge database holding --rows sightings; from starting `piwardrive-edge sync --once` until
 *    /v1/stats shows them all merged (API + one worker as child processes, temp dbs, unique queue prefix).
 * 2b. floor: the same sightings merged by better-sqlite3 prepared statements into the cloud schema, per
 *    edge batch, one process (sync-floor.ts); the drain's ratio against it is the target.
 * 2c. metrics: the same drain again on a second cloud with PIWARDRIVE_METRICS=off (no Prometheus series, no
 *    statement timing): what the instrumentation costs, measured in the same run (target < 5 %).
 * 3. ingest: 8 registered devices each upload --ingest-rows pre-encoded sightings at once; 202s per second.
 * The last line is machine-readable.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { numberArg } from "./args.js";
import { startBenchCloud } from "./sync-cloud.js";
import { cloudMergeFloor } from "./sync-floor.js";
import { concurrentIngest, drain, fillEdge } from "./sync-phases.js";
import { gzipCsvBytes, wireBytes } from "./sync-wire.js";
import { syntheticObservations } from "./synthetic-observations.js";

const TARGETS = { wireRatio: 0.5, drainVsFloor: 0.5, metricsOverheadPct: 5 } as const;
const argv = process.argv.slice(2);
const rows = Math.floor(numberArg(argv, "observations", numberArg(argv, "rows", 1_000_000)));
const wireRows = Math.floor(numberArg(argv, "wire-rows", 100_000));
const ingestRows = Math.floor(numberArg(argv, "ingest-rows", 100_000));
const seed = Math.floor(numberArg(argv, "seed", 1));
const DEVICES = 8;

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

const drive = () => syntheticObservations({ rows: wireRows, seed });
const wire = await wireBytes(drive());
const csv = await gzipCsvBytes(drive());
const wireRatio = wire / csv.gzipBytes;
console.log(`wire: ${fmt(wireRows)} sightings`);
console.log(`  delta batches (gzip)   ${fmt(wire)} B  (${fmt(wire / wireRows, 2)} B/sighting)`);
console.log(`  WiGLE CSV              ${fmt(csv.csvBytes)} B`);
console.log(
  `  WiGLE CSV | gzip -9    ${fmt(csv.gzipBytes)} B  (${fmt(csv.gzipBytes / wireRows, 2)} B/sighting)`,
);
console.log(
  `  ratio ${wireRatio.toFixed(3)} (target <= ${TARGETS.wireRatio}) ${verdict(wireRatio <= TARGETS.wireRatio)}`,
);

const dir = mkdtempSync(join(tmpdir(), "pw-bench-sync-"));
const floor = cloudMergeFloor(join(dir, "floor.db"), rows, seed);
console.log(
  `floor: ${fmt(rows)} sightings merged by better-sqlite3 in ${fmt(floor.seconds, 2)} s: ` +
    `${fmt(floor.obsPerSec)} obs/s (${fmt(floor.inserted)} inserted, ${fmt(floor.networks)} networks)`,
);
rmSync(join(dir, "floor.db"), { force: true });
const cloud = await startBenchCloud(dir, `bench-sync-${randomUUID()}`);
try {
  const fillStart = performance.now();
  const edgeDb = await fillEdge(dir, rows, seed);
  console.log(
    `drain: edge backlog of ${fmt(rows)} written in ${fmt((performance.now() - fillStart) / 1000, 1)} s`,
  );
  const drained = await drain(cloud, edgeDb, rows);
  console.log(
    `  synced + merged in ${fmt(drained.seconds, 2)} s: ${fmt(drained.obsPerSec)} obs/s ` +
      `(${drained.batches} batches, ${fmt(drained.bytesSent)} B on the wire)`,
  );
  const drainRatio = drained.obsPerSec / floor.obsPerSec;
  console.log(
    `  ratio vs floor ${drainRatio.toFixed(3)} (target >= ${TARGETS.drainVsFloor}) ` +
      verdict(drainRatio >= TARGETS.drainVsFloor),
  );
  const bare = await drainWithoutMetrics();
  const overheadPct = (1 - drained.obsPerSec / bare.obsPerSec) * 100;
  console.log(
    `metrics: the same drain with PIWARDRIVE_METRICS=off: ${fmt(bare.obsPerSec)} obs/s; with metrics on ` +
      `${fmt(drained.obsPerSec)} obs/s: instrumentation costs ${overheadPct.toFixed(1)} % ` +
      `(target < ${TARGETS.metricsOverheadPct} %) ${verdict(overheadPct < TARGETS.metricsOverheadPct)}`,
  );
  console.log(`metrics_overhead_pct=${overheadPct.toFixed(1)}`);
  const ingest = await concurrentIngest(cloud, { devices: DEVICES, rowsPerDevice: ingestRows, seed });
  console.log(
    `ingest: ${DEVICES} devices, ${fmt(ingest.observations)} sightings acknowledged in ` +
      `${fmt(ingest.seconds, 2)} s: ${fmt(ingest.obsPerSec)} obs/s`,
  );
  console.log(
    `wire_ratio_vs_gzip_csv=${wireRatio.toFixed(3)} drain_obs_per_s=${Math.round(drained.obsPerSec)} ` +
      `floor_obs_per_s=${Math.round(floor.obsPerSec)} drain_ratio_vs_floor=${drainRatio.toFixed(3)} ` +
      `ingest_accept_obs_per_s=${Math.round(ingest.obsPerSec)}`,
  );
} finally {
  await cloud.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** The drain on a second cloud (own dbs, own prefix) with metrics off; the first cloud is idle meanwhile. */
async function drainWithoutMetrics() {
  const bareDir = mkdtempSync(join(tmpdir(), "pw-bench-sync-bare-"));
  const bareCloud = await startBenchCloud(bareDir, `bench-sync-bare-${randomUUID()}`, { metrics: false });
  try {
    return await drain(bareCloud, await fillEdge(bareDir, rows, seed), rows);
  } finally {
    await bareCloud.stop();
    rmSync(bareDir, { recursive: true, force: true });
  }
}
