import { cpus } from "node:os";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@libsql/client";
import { DEFAULT_BATCH_ROWS, ensureAnalystDb } from "./analyst-db.js";
import { numberArg, stringArg } from "./args.js";
import { ratioFrom, startBenchApi } from "./bench-api.js";

/*
 * npm run bench:export: GET /v1/export of every sighting of the bench:analyst database (built or reused by
 * analyst-db.ts; --observations 1,000,000 by default, so the file holds 1,000,000 sightings) in each
 * format, through `piwardrive-cloud serve` as a child process, one fresh server per case so its peak RSS
 * (VmHWM from /proc) is that case's. The reader takes bytes as fast as it can; the slow-reader case pulls
 * the WiGLE file at --slow-mbps (default 8 MB/s) so back-pressure has to hold the server's memory; the
 * gzip case asks for `Accept-Encoding: gzip` (fetch decompresses it; sizes are the decompressed bytes).
 * In the same run: the merge's cost of its alert rules (merge-alerts-ratio.js).
 * Flags: --observations, --devices (20), --seed (1), --slow-mbps, --cache-dir (data/bench at the repo root).
 */
const argv = process.argv.slice(2);
const fleet = {
  observations: numberArg(argv, "observations", 1_000_000),
  devices: numberArg(argv, "devices", 20),
  seed: numberArg(argv, "seed", 1),
  batchRows: numberArg(argv, "batch-rows", DEFAULT_BATCH_ROWS),
};
const slowMbps = numberArg(argv, "slow-mbps", 8);
const REPO = resolve(import.meta.dirname, "../../..");
const cacheDir = stringArg(argv, "cache-dir") ?? resolve(REPO, "data/bench");
const log = (line: string) => console.log(line);

log(`nproc=${cpus().length} ${cpus()[0]?.model ?? ""} node ${process.version} ${new Date().toISOString()}`);
const built = await ensureAnalystDb(fleet, cacheDir, log);
const db = createClient({ url: `file:${built.path}`, intMode: "number" });
const rows = Number((await db.execute("SELECT count(*) AS n FROM observations")).rows[0]?.n);
db.close();
log(`database ${built.path}: ${built.sizeMb.toFixed(0)} MB, ${rows} sightings`);

interface Case {
  name: string;
  format: "wigle" | "csv" | "geojson" | "kml";
  slow: boolean;
  gzip: boolean;
  /** NODE_OPTIONS for the server (default: none, V8 sizes its heap from the machine's memory). */
  nodeOptions?: string;
}
const cases: Case[] = [
  { name: "wigle", format: "wigle", slow: false, gzip: false },
  { name: "csv", format: "csv", slow: false, gzip: false },
  { name: "geojson", format: "geojson", slow: false, gzip: false },
  { name: "kml", format: "kml", slow: false, gzip: false },
  { name: "wigle slow reader", format: "wigle", slow: true, gzip: false },
  { name: "wigle gzip", format: "wigle", slow: false, gzip: true },
  {
    name: "wigle, 96 MB heap",
    format: "wigle",
    slow: false,
    gzip: false,
    nodeOptions: "--max-old-space-size=96",
  },
];

interface Outcome {
  rowsPerS: number;
  peakRssMb: number;
  bytes: number;
  seconds: number;
}

/** Reads the whole body; a slow reader sleeps after each chunk so it takes `slowMbps` at most. */
async function exportOnce(c: Case): Promise<Outcome> {
  const api = await startBenchApi(
    built.path,
    c.nodeOptions === undefined ? {} : { NODE_OPTIONS: c.nodeOptions },
  );
  try {
    const idleRss = api.peakRssMb();
    const cpuBefore = api.cpuSeconds();
    const started = performance.now();
    const res = await fetch(`${api.url}/v1/export?format=${c.format}&what=observations`, {
      // fetch asks for gzip unless told otherwise, and decompresses on the way in.
      headers: { authorization: `Bearer ${api.analystKey}`, "accept-encoding": c.gzip ? "gzip" : "identity" },
    });
    if ((res.headers.get("content-encoding") === "gzip") !== c.gzip)
      throw new Error(`${c.name}: wrong encoding`);
    if (res.status !== 200 || res.body === null) throw new Error(`${c.name}: HTTP ${res.status}`);
    let bytes = 0;
    let newlines = 0;
    const reader = res.body.getReader();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      bytes += chunk.value.byteLength;
      if (c.format === "wigle") for (const b of chunk.value) if (b === 10) newlines += 1;
      if (c.slow) await sleep((chunk.value.byteLength / (slowMbps * 1024 * 1024)) * 1000);
    }
    const seconds = (performance.now() - started) / 1000;
    // WiGLE CSV: the pre-header, the header, then one line per sighting.
    if (c.format === "wigle" && newlines - 2 !== rows)
      throw new Error(`${c.name}: ${newlines - 2} rows, not ${rows}`);
    const peakRssMb = api.peakRssMb();
    const cpu = api.cpuSeconds() - cpuBefore;
    log(
      `  ${c.name.padEnd(18)} ${(bytes / 1024 / 1024).toFixed(0).padStart(5)} MB in ${seconds.toFixed(1)} s: ${Math.round(rows / seconds)} rows/s; server ${cpu.toFixed(1)} CPU-s (${Math.round(rows / cpu)} rows per CPU-s), peak RSS ${peakRssMb.toFixed(0)} MB (${idleRss.toFixed(0)} before the export)`,
    );
    return { rowsPerS: rows / seconds, peakRssMb, bytes, seconds };
  } finally {
    await api.stop();
  }
}

const results = new Map<string, Outcome>();
for (const c of cases) results.set(c.name, await exportOnce(c));

log("merge with the alert rules on and off (cloud-api/dist/bench/merge-alerts-ratio.js):");
const alertsRatio = ratioFrom(
  resolve(REPO, "cloud-api/dist/bench/merge-alerts-ratio.js"),
  "merge_ratio_with_alerts",
  log,
);

const wigle = results.get("wigle");
const slow = results.get("wigle slow reader");
const gzipped = results.get("wigle gzip");
const peak = Math.max(wigle?.peakRssMb ?? 0, slow?.peakRssMb ?? 0, gzipped?.peakRssMb ?? 0);
log("targets: >= 200,000 rows/s (WiGLE CSV), server peak RSS <= 200 MB (WiGLE CSV: fast, slow reader, gzip)");
log(
  `export_rows_per_s=${Math.round(wigle?.rowsPerS ?? 0)} export_peak_rss_mb=${peak.toFixed(0)} kml_rows_per_s=${Math.round(results.get("kml")?.rowsPerS ?? 0)} merge_ratio_with_alerts=${alertsRatio}`,
);
