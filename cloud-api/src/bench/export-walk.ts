import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { migrateCloud } from "@piwardrive/migrations";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { parseNetworkFilters } from "../analyst/network-filters.js";
import { parseObservationFilters } from "../analyst/observation-filters.js";
import { openCloudDb } from "../db/cloud-db.js";
import type { ExportSelection } from "../exports/export-query.js";
import { exportStream } from "../exports/export-stream.js";
import { mergePlan } from "../services/merge-statements.js";
import { sighting, T0 } from "../test-support/batches.js";

/*
 * What the export's filters cost on its rowid walk (decision 0030): a CSV export of sightings and of
 * networks without a filter (the baseline, same run, same database) and with selective filters, which walk
 * the whole table in bounded statements. Prints rows written, wall time, rowids walked per second and the
 * longest single statement. `npm run bench:export-walk [-- batches rows networks]`.
 */

const [batches = 50, rows = 4000, networks = 20_000] = process.argv.slice(2).map(Number);
const mac = (n: number) =>
  `00:00:0c:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}:01`;

function batch(b: number): WireObservation[] {
  return Array.from({ length: rows }, (_, i) => {
    const n = (b * 997 + i * 7) % networks;
    return sighting(b * rows + i + 1, mac(n), {
      kind: n % 9 === 0 ? "ble" : "wifi",
      ssid: `net-${n}`,
      authMode: "WPA2",
      channel: 6,
      frequencyMhz: 2437,
      seenAt: T0 + (b * rows + i) * 100,
      rssiDbm: -40 - ((i * 13) % 50),
      lat: -33.8 + (n % 100) * 1e-3,
      lon: 151.2 + Math.floor(n / 100) * 1e-3,
    });
  });
}

/** The real client, timing each statement it runs. */
function timed(client: Client): { db: Client; longestMs: () => number } {
  let longest = 0;
  const db = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "execute") {
        return async (...args: Parameters<Client["execute"]>) => {
          const started = performance.now();
          try {
            return await target.execute(...args);
          } finally {
            longest = Math.max(longest, performance.now() - started);
          }
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  return { db, longestMs: () => longest };
}

async function exportOnce(client: Client, selection: ExportSelection) {
  const probe = timed(client);
  const started = performance.now();
  const file = exportStream({
    db: probe.db,
    format: "csv",
    options: { placement: "estimate" },
    ...selection,
  });
  let lines = 0;
  for await (const chunk of file.body) for (const byte of chunk) if (byte === 10) lines++;
  return { rows: lines - 1, s: (performance.now() - started) / 1000, longestMs: probe.longestMs() };
}

const dir = mkdtempSync(join(tmpdir(), "pw-export-walk-"));
const db = await openCloudDb({ db: join(dir, "cloud.db"), busyTimeoutMs: 5000 });
try {
  await migrateCloud(db);
  for (let b = 0; b < batches; b++) {
    const key = { deviceId: `dev-${b % 4}`, runId: "run-1", batchSeq: b };
    await db.batch(mergePlan(key, batch(b), T0 + b).statements, "write");
  }
  const sightings = batches * rows;
  const cases: [string, ExportSelection, number][] = [
    ["observations (no filter)", { what: "observations", filters: {} }, sightings],
    [
      "observations mac=",
      { what: "observations", filters: parseObservationFilters({ mac: mac(7) }) },
      sightings,
    ],
    ["observations device=", { what: "observations", filters: { device: "dev-1" } }, sightings],
    [
      "observations bbox= (1%)",
      { what: "observations", filters: parseObservationFilters({ bbox: "151.2,-33.8,151.21,-33.79" }) },
      sightings,
    ],
    ["networks (no filter)", { what: "networks", filters: {} }, networks],
    ["networks ssid=", { what: "networks", filters: parseNetworkFilters({ ssid: "net-7" }) }, networks],
    ["networks device=", { what: "networks", filters: parseNetworkFilters({ device: "dev-1" }) }, networks],
    ["networks kind=ble", { what: "networks", filters: parseNetworkFilters({ kind: "ble" }) }, networks],
  ];
  console.log(`nproc=${cpus().length} sightings=${sightings} networks=${networks}`);
  const results = new Map<string, { rows: number; s: number; longestMs: number }>();
  for (const [name, selection, walked] of cases) {
    // Best of two, so one stall on a shared machine does not decide the figure.
    const runs = [await exportOnce(db, selection), await exportOnce(db, selection)];
    const best = runs.reduce((a, b) => (b.s < a.s ? b : a));
    const longest = Math.max(...runs.map((r) => r.longestMs));
    results.set(name, { ...best, longestMs: longest });
    console.log(
      `${name.padEnd(26)} rows=${String(best.rows).padStart(7)} ${best.s.toFixed(3)} s  walked=${(walked / best.s).toFixed(0)} rowids/s  longest_statement=${longest.toFixed(1)} ms`,
    );
  }
  const s = (name: string) => results.get(name)?.s ?? Number.NaN;
  const longest = Math.max(...[...results.values()].map((r) => r.longestMs));
  console.log(
    `export_obs_rows_per_s=${(sightings / s("observations (no filter)")).toFixed(0)} mac_walk_ratio=${(s("observations mac=") / s("observations (no filter)")).toFixed(3)} export_net_rows_per_s=${(networks / s("networks (no filter)")).toFixed(0)} device_walk_ratio=${(s("networks device=") / s("networks (no filter)")).toFixed(3)} longest_statement_ms=${longest.toFixed(1)}`,
  );
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
