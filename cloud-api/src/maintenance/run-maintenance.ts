import { statSync } from "node:fs";
import type { Client, InStatement } from "@libsql/client";
import type { StatementSummary } from "../db/statement-stats.js";

/*
 * One maintenance pass over the cloud database, step by step, each step's figures returned (and stored
 * in maintenance_runs by the job). See docs/decisions/0027-cloud-database-operations.md for the choices:
 * PASSIVE checkpoint, payload retention only of merged batches, VACUUM only past a free-page threshold.
 */

export interface MaintenanceOptions {
  db: Client;
  /** The database file, for WAL sizes (undefined for a libSQL server: no checkpoint or vacuum either). */
  dbPath: string | undefined;
  /** Payloads of batches merged longer ago than this are emptied. */
  payloadRetentionDays: number;
  /** VACUUM once free pages reach this share of the file (and at least MIN_VACUUM_FREE_BYTES). */
  vacuumFreePercent: number;
  now?: number;
  /** Rows emptied per write transaction, so ingest and merges are never locked out for long. */
  retentionChunk?: number;
  /** The process's statement stats, recorded with the run so doctor can show the worker's slow ones. */
  slowStatements?: () => StatementSummary[];
}

export interface MaintenanceResult {
  startedAt: number;
  durationMs: number;
  optimize: { ms: number };
  checkpoint:
    | {
        mode: "PASSIVE";
        ms: number;
        /** SQLite's answer: 1 if a reader or writer kept it from finishing, frames in the WAL, copied. */
        busy: number;
        walFrames: number;
        checkpointedFrames: number;
        walBytesBefore: number;
        walBytesAfter: number;
      }
    | { mode: "skipped"; reason: string };
  retention: { ms: number; cutoff: number; payloadsDropped: number; bytesDropped: number };
  vacuum: {
    ms: number;
    pageSize: number;
    pageCount: number;
    freePagesBefore: number;
    freePercent: number;
    thresholdPercent: number;
    ran: boolean;
    freePagesAfter: number;
    reason: string;
  };
  slowStatements: StatementSummary[];
}

export const MIN_VACUUM_FREE_BYTES = 1 << 20;
const DAY_MS = 86_400_000;

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};
const num = async (db: Client, sql: string) => Number((await db.execute(sql)).rows[0]?.[0] ?? 0);

export async function runMaintenance(options: MaintenanceOptions): Promise<MaintenanceResult> {
  const { db } = options;
  const startedAt = options.now ?? Date.now();
  const began = performance.now();
  const timed = async <T>(step: () => Promise<T>): Promise<T & { ms: number }> => {
    const t = performance.now();
    const out = await step();
    return { ...out, ms: Math.round(performance.now() - t) };
  };

  // Statistics for the planner, only where SQLite thinks they are missing or stale; bounded in cost.
  const optimize = await timed(async () => {
    await db.execute("PRAGMA analysis_limit=1000");
    await db.execute("PRAGMA optimize");
    return {};
  });

  const retention = await timed(() =>
    dropMergedPayloads(
      db,
      startedAt - options.payloadRetentionDays * DAY_MS,
      startedAt,
      options.retentionChunk,
    ),
  );

  const checkpoint: MaintenanceResult["checkpoint"] =
    options.dbPath === undefined
      ? { mode: "skipped", reason: "not a local file (the libSQL server checkpoints itself)" }
      : await timed(async () => {
          const wal = `${options.dbPath}-wal`;
          const walBytesBefore = fileSize(wal);
          const row = (await db.execute("PRAGMA wal_checkpoint(PASSIVE)")).rows[0];
          return {
            mode: "PASSIVE" as const,
            busy: Number(row?.[0] ?? 0),
            walFrames: Number(row?.[1] ?? 0),
            checkpointedFrames: Number(row?.[2] ?? 0),
            walBytesBefore,
            walBytesAfter: fileSize(wal),
          };
        });

  const vacuum = await timed(async () => {
    const pageSize = await num(db, "PRAGMA page_size");
    const pageCount = await num(db, "PRAGMA page_count");
    const freePagesBefore = await num(db, "PRAGMA freelist_count");
    const freePercent = pageCount === 0 ? 0 : Math.round((freePagesBefore / pageCount) * 1000) / 10;
    const base = {
      pageSize,
      pageCount,
      freePagesBefore,
      freePercent,
      thresholdPercent: options.vacuumFreePercent,
    };
    if (options.dbPath === undefined) {
      return { ...base, ran: false, freePagesAfter: freePagesBefore, reason: "not a local file" };
    }
    if (freePercent < options.vacuumFreePercent || freePagesBefore * pageSize < MIN_VACUUM_FREE_BYTES) {
      return { ...base, ran: false, freePagesAfter: freePagesBefore, reason: "below the threshold" };
    }
    await db.execute("VACUUM");
    return {
      ...base,
      ran: true,
      freePagesAfter: await num(db, "PRAGMA freelist_count"),
      reason: `free pages at ${freePercent}% >= ${options.vacuumFreePercent}%`,
    };
  });

  return {
    startedAt,
    durationMs: Math.round(performance.now() - began),
    optimize,
    checkpoint,
    retention,
    vacuum,
    slowStatements: options.slowStatements?.() ?? [],
  };
}

const KEPT = "status = 'merged' AND payload_dropped_at IS NULL AND received_at < ?";

/** One chunk of retention: the payload bytes it will drop, then the UPDATE (one write transaction). */
export function dropPayloadStatements(
  cutoff: number,
  now: number,
  chunk: number,
): [InStatement, InStatement] {
  // INDEXED BY: the status index would also serve, but walks every payload already dropped, each pass
  const oldest = `SELECT rowid FROM landed_batches INDEXED BY landed_batches_payload_kept_idx WHERE ${KEPT}
    ORDER BY received_at LIMIT ?`;
  const chosen = `${KEPT} AND rowid IN (${oldest})`;
  return [
    {
      sql: `SELECT coalesce(sum(length(payload)), 0) AS bytes FROM landed_batches WHERE ${chosen}`,
      args: [cutoff, cutoff, chunk],
    },
    {
      sql: `UPDATE landed_batches SET payload = x'', payload_dropped_at = ? WHERE ${chosen}`,
      args: [now, cutoff, cutoff, chunk],
    },
  ];
}

/**
 * Empties the payload of merged batches that landed before `cutoff`, oldest first, in chunks (the partial
 * index landed_batches_payload_kept_idx walks only rows still holding one). Only `merged` rows: a `landed`
 * batch still needs its payload for the merge, a `failed` one for a retry after a fix. The row itself
 * stays, so a resend is still answered `duplicate` and a replayed job `already_merged` (neither reads
 * the payload: merge-batch.ts returns on the status first).
 */
export async function dropMergedPayloads(
  db: Client,
  cutoff: number,
  now: number,
  chunk = 500,
): Promise<{ cutoff: number; payloadsDropped: number; bytesDropped: number }> {
  let payloadsDropped = 0;
  let bytesDropped = 0;
  for (;;) {
    const [sized, updated] = await db.batch(dropPayloadStatements(cutoff, now, chunk), "write");
    const n = updated?.rowsAffected ?? 0;
    payloadsDropped += n;
    bytesDropped += Number(sized?.rows[0]?.bytes ?? 0);
    if (n < chunk) return { cutoff, payloadsDropped, bytesDropped };
  }
}
