import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  NETWORK_UPSERT_COLUMNS,
  NETWORK_UPSERT_CONFLICT,
  pragmaStatements,
  type SqlValue,
  type Tuning,
} from "@piwardrive/edge-agent/store";
import { migrationsFolders } from "@piwardrive/migrations";
import {
  OBSERVATION_SQL_COLUMNS,
  type ObservationRecord,
  observationValues,
} from "@piwardrive/shared-schema";

/**
 * What the raw and guide baselines need to build the very same database as EdgeStore: the committed edge
 * migrations (tables and indexes, in file order) and the tuning pragmas.
 */
export function edgeSchemaStatements(): string[] {
  const folder = migrationsFolders.edge;
  return readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) => readFileSync(join(folder, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** EdgeStore.open's order: auto_vacuum before the first table, WAL, then the per-connection tuning. */
export function edgePragmas(tuning: Tuning): string[] {
  return ["PRAGMA auto_vacuum=INCREMENTAL", "PRAGMA journal_mode=WAL", ...pragmaStatements(tuning)];
}

export const OBSERVATION_COLUMNS = ["run_id", ...OBSERVATION_SQL_COLUMNS] as const;

export const INSERT_OBSERVATION_SQL = `INSERT INTO observations (${OBSERVATION_COLUMNS.join(", ")})
VALUES (${OBSERVATION_COLUMNS.map(() => "?").join(", ")})`;

/**
 * One network rollup merged into `networks`: the same columns, values (`networkValues`) and ON CONFLICT
 * rules as the BatchedWriter's upsert (edge-agent/src/store/write-statements.ts), one row per statement.
 * writer-vs-raw.test.ts checks that both produce the same `networks` table.
 */
export const UPSERT_NETWORK_SQL = `INSERT INTO networks (${NETWORK_UPSERT_COLUMNS})
VALUES (${NETWORK_UPSERT_COLUMNS.split(",")
  .map(() => "?")
  .join(", ")})
${NETWORK_UPSERT_CONFLICT}`;

/** An observation's values in OBSERVATION_COLUMNS order. */
export function observationParams(runId: string, o: ObservationRecord): SqlValue[] {
  return [runId, ...observationValues(o)];
}
