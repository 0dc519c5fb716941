import type { InStatement } from "@libsql/client";
import type { EdgeStore } from "../../store/edge-store.js";

/*
 * imported_files as the importer's ledger. A row is written when an import STARTS, with records = -1
 * ("in progress"); every flush that commits rows of that file adds their number to `observations` in the
 * same transaction (a BatchedWriter commit hook), so the row always says exactly how many of the file's
 * sightings are stored, whenever the process dies. The last step sets records/rejected/metadata.
 *
 * A re-import of a file whose row is still in progress resumes: the parsers are deterministic, so it
 * reads the file again, skips the first `observations` sightings (already stored) and writes the rest.
 * Nothing is duplicated and nothing has to be deleted (which the network rollups and sync could not undo).
 */

/** `records` of an import that has not finished. */
export const IN_PROGRESS = -1;

export interface LedgerEntry {
  format: string;
  records: number;
  /** Sightings of this file committed so far (all of them once finished). */
  observations: number;
}

export async function findImport(store: EdgeStore, sha256: string): Promise<LedgerEntry | null> {
  const rs = await store.execute({
    sql: "SELECT format, records, observations FROM imported_files WHERE sha256 = ?",
    args: [sha256],
  });
  const row = rs.rows[0];
  if (row === undefined) return null;
  return { format: String(row.format), records: Number(row.records), observations: Number(row.observations) };
}

export async function beginImport(
  store: EdgeStore,
  entry: { sha256: string; path: string; format: string; sizeBytes: number; now: number },
): Promise<void> {
  await store.execute({
    sql: `INSERT INTO imported_files (sha256, path, format, size_bytes, imported_at, records, observations, rejected)
      VALUES (?, ?, ?, ?, ?, ?, 0, 0)`,
    args: [entry.sha256, entry.path, entry.format, entry.sizeBytes, entry.now, IN_PROGRESS],
  });
}

/** Rides in a flush's transaction: `count` more of this file's sightings are now stored. */
export function countStored(sha256: string, count: number): InStatement {
  return {
    sql: "UPDATE imported_files SET observations = observations + ? WHERE sha256 = ?",
    args: [count, sha256],
  };
}

export async function finishImport(
  store: EdgeStore,
  entry: {
    sha256: string;
    path: string;
    format: string;
    records: number;
    rejected: number;
    metadata: Record<string, string>;
    now: number;
  },
): Promise<void> {
  const metadata = Object.keys(entry.metadata).length === 0 ? null : JSON.stringify(entry.metadata);
  await store.execute({
    sql: `UPDATE imported_files SET path = ?, format = ?, records = ?, rejected = ?, metadata = ?, imported_at = ?
      WHERE sha256 = ?`,
    args: [entry.path, entry.format, entry.records, entry.rejected, metadata, entry.now, entry.sha256],
  });
}

/** A file that yielded no records is not remembered: read with the wrong --format, it must stay importable. */
export async function forgetImport(store: EdgeStore, sha256: string): Promise<void> {
  await store.execute({ sql: "DELETE FROM imported_files WHERE sha256 = ?", args: [sha256] });
}
