import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type NetworkRollup, networkValues, rollUpNetworks, type Tuning } from "@piwardrive/edge-agent/store";
import type { ObservationRecord } from "@piwardrive/shared-schema";
import Database from "better-sqlite3";
import { benchTuning } from "./bench-tuning.js";
import {
  edgePragmas,
  edgeSchemaStatements,
  INSERT_OBSERVATION_SQL,
  observationParams,
  UPSERT_NETWORK_SQL,
} from "./edge-schema.js";
import { cpuSince, type PhaseResult, storeCounts, writtenSince } from "./ingest-phases.js";
import { writtenMb } from "./rss.js";
import { inChunks, syntheticObservations } from "./synthetic-observations.js";

/** A better-sqlite3 database with EdgeStore's schema, indexes and pragmas. */
export function openRawDatabase(path: string, tuning: Tuning): Database.Database {
  const db = new Database(path);
  for (const pragma of edgePragmas(tuning)) db.exec(pragma);
  db.exec("BEGIN");
  for (const statement of edgeSchemaStatements()) db.exec(statement);
  db.exec("COMMIT");
  return db;
}

/**
 * The raw SQLite floor, doing the same work as the BatchedWriter: every observation is inserted with a
 * prepared statement, and each batch (the writer's batch size) is folded with the writer's own
 * rollUpNetworks and merged into `networks` by a prepared upsert with the writer's ON CONFLICT rules and
 * values: one row per network per batch. Unlike the writer it runs everything in ONE transaction, one row
 * per statement through better-sqlite3: that is the floor. Returns the rows written.
 */
export function ingestRaw(
  db: Database.Database,
  runId: string,
  batches: Iterable<ObservationRecord[]>,
): number {
  const insert = db.prepare(INSERT_OBSERVATION_SQL);
  const upsert = db.prepare(UPSERT_NETWORK_SQL);
  let rows = 0;
  db.exec("BEGIN");
  try {
    for (const batch of batches) {
      for (const o of batch) insert.run(observationParams(runId, o));
      const rollups: NetworkRollup[] = rollUpNetworks(batch);
      for (const n of rollups) upsert.run(networkValues(n));
      rows += batch.length;
    }
    db.exec("COMMIT");
  } catch (error) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw error;
  }
  return rows;
}

/** The same rows into the same schema with better-sqlite3 prepared statements in one transaction. */
export async function runRawPhase(
  dir: string,
  rows: number,
  seed: number,
  batchRows: number,
): Promise<PhaseResult> {
  const tuning = benchTuning();
  const db = openRawDatabase(join(dir, "raw.db"), tuning);
  const startedCpu = process.cpuUsage();
  const startedIo = writtenMb();
  const started = performance.now();
  const written = ingestRaw(db, randomUUID(), inChunks(syntheticObservations({ rows, seed }), batchRows));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(startedCpu);
  const io = writtenSince(startedIo);
  const counts = await storeCounts((sql) => db.prepare(sql).raw(true).get() as unknown[]);
  db.close();
  return {
    phase: "raw",
    rows: written,
    seconds,
    cpuSeconds,
    batchRows,
    writtenMb: io,
    ...counts,
    profile: tuning.profile,
  };
}
