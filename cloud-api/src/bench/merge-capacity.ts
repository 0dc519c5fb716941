import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { migrateCloud } from "@piwardrive/migrations";
import { type DeltaBatch, encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { openCloudDb } from "../db/cloud-db.js";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, sighting, T0 } from "../test-support/batches.js";

/*
 * What one merge worker and one database file sustain: `npm run build && npm run bench:merge-capacity --
 * [batches] [rows] [networks]` (default 60 x 5,000 sightings over 20,000 transmitters from 4 devices). Each
 * batch is landed as the API lands it (landBatch: one write transaction with the compressed payload), then
 * merged as the worker merges it (mergeBatch: decode the stored payload, one write transaction with every
 * aggregate and alert rule), one at a time: the file takes one writer at a time, so more worker processes
 * add decode parallelism, not write throughput. The merges' CPU time is printed too (obs per CPU-second): the
 * capacity of one core however loaded the machine is, since libSQL runs the statements in this thread (fsync
 * waits are not in it; WAL with synchronous=NORMAL syncs only at checkpoints). The same batches are merged again into a second file without
 * their health samples and track: `fleet_step_ratio` is the merge throughput (per CPU-second) with them over
 * without.
 */
const [batches = 60, rows = 5000, networks = 20_000] = process.argv.slice(2).map(Number);
const DEVICES = 4;

function batch(b: number, withFleet: boolean): DeltaBatch {
  const deviceId = `dev-${b % DEVICES}`;
  const first = Math.floor(b / DEVICES) * rows + 1;
  const observations = Array.from({ length: rows }, (_, i) => {
    const n = (b * 7919 + i * 13) % networks;
    const mac = `00:1a:${(n >> 16).toString(16).padStart(2, "0")}:${((n >> 8) & 255).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}:01`;
    return sighting(first + i, mac, {
      ssid: `net-${n}`,
      authMode: "WPA2",
      channel: 1 + (n % 11),
      seenAt: T0 + (b * rows + i) * 50,
      rssiDbm: -40 - ((i * 13) % 50),
      lat: 52.5 + n * 1e-6 + (i % 7) * 1e-6,
      lon: 13.4 + n * 1e-6,
    });
  });
  const at = T0 + b * rows * 50;
  return {
    ...makeBatch({ deviceId, runId: "run-1", batchSeq: Math.floor(b / DEVICES) }, observations),
    // as the agent sends them: a health sample every 10 s and a fix a second over the batch's ~4 minutes
    health: withFleet
      ? Array.from({ length: 25 }, (_, i) => ({
          sampledAt: at + i * 10_000,
          rssMb: 62,
          availableMemMb: 300,
          diskFreeMb: 9000,
          socTempC: 55,
          eventLoopLagMs: 4,
          writerQueueDepth: 0,
        }))
      : [],
    gpsTrack: withFleet
      ? Array.from({ length: 250 }, (_, i) => ({
          fixedAt: at + i * 1000,
          lat: 52.5 + i * 1e-5,
          lon: 13.4,
          altitudeM: 35,
          mode: 3,
          accuracyM: 4,
          hdop: 0.9,
          speedMps: 11,
          trackDeg: 90,
          source: "gpsd",
        }))
      : [],
  };
}

interface Run {
  landMs: number;
  mergeMs: number[];
  /** CPU time (user + system) the merges took: on a shared machine, the figure load does not inflate. */
  mergeCpuMs: number;
  fileBytes: number;
}

async function run(withFleet: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "pw-merge-capacity-"));
  const path = join(dir, "cloud.db");
  const db = await openCloudDb({ db: path, busyTimeoutMs: 5000 });
  try {
    await migrateCloud(db);
    for (let d = 0; d < DEVICES; d++)
      await db.execute({
        sql: "INSERT INTO devices (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
        args: [`dev-${d}`, `pi-${d}`, `hash-${d}`, T0],
      });
    const encoded = await Promise.all(
      Array.from({ length: batches }, async (_, b) => {
        const logical = batch(b, withFleet);
        return { logical, body: (await encodeDeltaBatch(logical)).body };
      }),
    );
    const landStart = performance.now();
    for (const { logical, body } of encoded)
      await landBatch(db, { batch: logical, payload: body, contentEncoding: "gzip", receivedAt: T0 });
    const landMs = performance.now() - landStart;
    const mergeMs: number[] = [];
    const cpu = process.cpuUsage();
    for (const { logical } of encoded) {
      const started = performance.now();
      const key = { deviceId: logical.deviceId, runId: logical.runId, batchSeq: logical.batchSeq };
      await mergeBatch({ db, key, now: () => T0 + 86_400_000, healthRetentionMs: 30 * 86_400_000 });
      mergeMs.push(performance.now() - started);
    }
    const used = process.cpuUsage(cpu);
    await db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    return { landMs, mergeMs, mergeCpuMs: (used.user + used.system) / 1000, fileBytes: statSync(path).size };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const total = batches * rows;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)] ?? 0;
console.log(
  `machine: nproc=${cpus().length} ${cpus()[0]?.model ?? "?"} load=${loadavg()[0]?.toFixed(2)} date=${new Date().toISOString()}`,
);
console.log(`batches=${batches} rows=${rows} networks=${networks} devices=${DEVICES}`);
const without = await run(false);
const withFleet = await run(true);
for (const [name, r] of [
  ["with health+track", withFleet],
  ["without          ", without],
] as const) {
  const mergeS = sum(r.mergeMs) / 1000;
  console.log(
    `${name}: land ${(batches / (r.landMs / 1000)).toFixed(0)} batches/s = ${(total / (r.landMs / 1000)).toFixed(0)} obs/s; ` +
      `merge ${(total / mergeS).toFixed(0)} obs/s = ${(batches / mergeS).toFixed(1)} batches/s ` +
      `(p50 ${pct(r.mergeMs, 0.5).toFixed(0)} ms, p95 ${pct(r.mergeMs, 0.95).toFixed(0)} ms per batch), ` +
      `${(total / (r.mergeCpuMs / 1000)).toFixed(0)} obs per CPU-second; ` +
      `file ${(r.fileBytes / 1e6).toFixed(1)} MB = ${(r.fileBytes / total).toFixed(0)} B/sighting incl. payloads`,
  );
}
const rate = (r: Run) => total / (sum(r.mergeMs) / 1000);
console.log(`merge_obs_per_s=${rate(withFleet).toFixed(0)}`);
console.log(`merge_obs_per_cpu_s=${(total / (withFleet.mergeCpuMs / 1000)).toFixed(0)}`);
// CPU-second rates: the wall-clock ratio of two runs minutes apart on a shared machine measures the load
const perCpu = (r: Run) => total / (r.mergeCpuMs / 1000);
console.log(`fleet_step_ratio_wall=${(rate(withFleet) / rate(without)).toFixed(3)}`);
console.log(`fleet_step_ratio=${(perCpu(withFleet) / perCpu(without)).toFixed(3)}`);
