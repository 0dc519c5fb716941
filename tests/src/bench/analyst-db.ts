import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@libsql/client";
import { type BatchKey, landBatch, mergeBatch, mergePlan, openCloudDb } from "@piwardrive/cloud-api";
import { migrateCloud, migrationsFolders } from "@piwardrive/migrations";
import { encodeDeltaBatch, type WireObservation } from "@piwardrive/shared-schema/wire";
import { deviceDrive, FLEET_GENERATOR_VERSION, FLEET_START_MS, type FleetOptions } from "./fleet-drives.js";

/*
 * The analyst benchmarks' cloud database: the fleet of fleet-drives.ts merged through the real merge
 * (mergePlan, the statements mergeBatch runs, in one write transaction per batch) in big batches, the
 * devices' batches interleaved. Landing each batch first (encode, store the blob, decode) would only add
 * work that leaves no trace in the analyst tables; fleet-db.test.ts checks that this path and
 * land + mergeBatch give the same tables. Built once into a cache file named by the parameters and a
 * digest of the schema and the merge's SQL, so a new migration or merge statement builds a new one.
 */

export interface AnalystDbOptions extends FleetOptions {
  batchRows: number;
}

export const DEFAULT_BATCH_ROWS = 25_000;

/** Merges one batch of a device's run: the bench's direct path, or land + mergeBatch (the pipeline's). */
export type FleetMerge = (db: Client, key: BatchKey, rows: WireObservation[], now: number) => Promise<void>;

export const directMerge: FleetMerge = async (db, key, rows, now) => {
  await db.batch(mergePlan(key, rows, now).statements, "write");
};

export const landedMerge: FleetMerge = async (db, key, rows, now) => {
  const seqs = rows.map((r) => r.seq);
  const batch = {
    version: 1 as const,
    ...key,
    firstSeq: Math.min(...seqs),
    lastSeq: Math.max(...seqs),
    observations: rows,
    gpsTrack: [],
    health: [],
  };
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(db, {
    batch,
    payload: encoded.body,
    contentEncoding: encoded.contentEncoding,
    receivedAt: now,
  });
  await mergeBatch({ db, key, now: () => now });
};

export const deviceId = (d: number) => `bench-dev-${String(d + 1).padStart(2, "0")}`;

/** Fills a migrated database with the fleet: devices registered, batches round-robin over devices. */
export async function buildFleetDb(
  db: Client,
  options: AnalystDbOptions,
  merge: FleetMerge,
  progress: (merged: number) => void = () => {},
): Promise<void> {
  for (let d = 0; d < options.devices; d++) {
    await db.execute({
      sql: "INSERT INTO devices (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
      args: [
        deviceId(d),
        `car ${d + 1}`,
        createHash("sha256").update(deviceId(d)).digest("hex"),
        FLEET_START_MS,
      ],
    });
  }
  const per = Math.floor(options.observations / options.devices);
  const drives = Array.from({ length: options.devices }, (_, d) => {
    const rows = d === 0 ? options.observations - per * (options.devices - 1) : per;
    return deviceDrive(options, d, rows);
  });
  const lastBatchAt = new Map<string, number>();
  let merged = 0;
  let round = 0;
  for (let open = drives.length; open > 0; round++) {
    open = 0;
    for (let d = 0; d < drives.length; d++) {
      // next() by hand: leaving a for-of early would close the generator.
      const drive = drives[d];
      const rows: WireObservation[] = [];
      while (drive !== undefined && rows.length < options.batchRows) {
        const step = drive.next();
        if (step.done) break;
        rows.push(step.value);
      }
      if (rows.length === 0) continue;
      open += 1;
      const now = FLEET_START_MS + 40 * 86_400_000 + merged;
      await merge(db, { deviceId: deviceId(d), runId: "run-1", batchSeq: round }, rows, now);
      lastBatchAt.set(deviceId(d), now);
      merged += rows.length;
      progress(merged);
    }
  }
  // What landing each batch would have left: the device's last upload time.
  for (const [id, at] of lastBatchAt) {
    await db.execute({ sql: "UPDATE devices SET last_seen_at = ? WHERE id = ?", args: [at, id] });
  }
}

/** What a cached database depends on: the generator, its parameters, the schema and the merge's SQL. */
export function analystDbDigest(options: AnalystDbOptions): string {
  const digest = createHash("sha256");
  digest.update(JSON.stringify({ v: FLEET_GENERATOR_VERSION, ...options }));
  const folder = migrationsFolders.cloud;
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    digest.update(file).update(readFileSync(join(folder, file)));
  }
  const sample = [...deviceDrive(options, 0, 3)];
  for (const s of mergePlan({ deviceId: "d", runId: "r", batchSeq: 0 }, sample, 0).statements) {
    digest.update(typeof s === "string" ? s : s.sql);
  }
  return digest.digest("hex").slice(0, 12);
}

/** The cached database for these options, built first if absent (into a temp name, renamed when done). */
export async function ensureAnalystDb(
  options: AnalystDbOptions,
  cacheDir: string,
  log: (line: string) => void,
): Promise<{ path: string; builtS: number | null; sizeMb: number }> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, `analyst-${options.observations}-${analystDbDigest(options)}.db`);
  let builtS: number | null = null;
  if (!existsSync(path)) {
    const partial = `${path}.partial`;
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
    log(`building ${path} (${options.observations} sightings, ${options.devices} devices)`);
    const started = performance.now();
    const db = await openCloudDb({ db: partial, busyTimeoutMs: 60_000 });
    try {
      await migrateCloud(db);
      // A scratch file until renamed: durability per commit buys nothing here.
      await db.execute("PRAGMA synchronous=OFF");
      await db.execute("PRAGMA cache_size=-262144");
      let next = 0;
      await buildFleetDb(db, options, directMerge, (merged) => {
        if (merged < next) return;
        next += 500_000;
        const s = (performance.now() - started) / 1000;
        log(`  ${merged} merged in ${s.toFixed(0)} s (${Math.round(merged / s)} rows/s)`);
      });
      await db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
    renameSync(partial, path);
    for (const suffix of ["-wal", "-shm"]) rmSync(`${partial}${suffix}`, { force: true });
    builtS = (performance.now() - started) / 1000;
    log(`built in ${builtS.toFixed(0)} s`);
  }
  return { path, builtS, sizeMb: statSync(path).size / 1024 / 1024 };
}
