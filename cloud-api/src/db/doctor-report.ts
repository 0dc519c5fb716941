import { statSync } from "node:fs";
import type { Client } from "@libsql/client";
import { lastMaintenanceRun, type MaintenanceRun } from "../maintenance/maintenance-job.js";
import { expectedPragmas, readPragmas, reopenCloudDb } from "./cloud-db.js";
import { checkHotStatements, hotStatements, type PlanCheck } from "./hot-statements.js";

export interface ConnectionPragmas {
  /** `opened`: as openCloudDb tunes it; `reopened`: after the reconnect busy recovery performs. */
  connection: "opened" | "reopened";
  pragmas: Record<string, unknown>;
  /** Tuned pragmas that do not read back as expected: [expected, actual]. */
  drift: Record<string, [string | number, unknown]>;
}

export interface CloudDoctorReport {
  db: string;
  expected: Record<string, string | number>;
  connections: ConnectionPragmas[];
  /** undefined for a libSQL server (no local file). */
  files: { dbBytes: number; walBytes: number; shmBytes: number } | undefined;
  pages: { pageSize: number; pageCount: number; freelistCount: number; freePercent: number };
  /** Whether ANALYZE (or PRAGMA optimize) has written planner statistics. */
  analyzed: boolean;
  plans: PlanCheck[];
  /**
   * The read-only hot statements, each run once by doctor and timed, slowest first: how they perform on
   * this database now; `slow` are those at or over the slow-statement threshold.
   */
  statements: { thresholdMs: number; reads: { name: string; ms: number; rows: number }[]; slow: string[] };
  /** The last {maintenance} run, with the worker's slowest statements at that time. */
  maintenance: MaintenanceRun | null;
  /** Every problem found (drift, full scans, a failed maintenance run); empty when healthy. */
  problems: string[];
  /** Worth knowing but not wrong (a full scan of a table that is still small). */
  notes: string[];
}

/** A full scan of a table with fewer rows than this is cheap, and what SQLite should do. */
export const LARGE_TABLE_ROWS = 10_000;

const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

function drift(expected: Record<string, string | number>, actual: Record<string, unknown>) {
  const out: Record<string, [string | number, unknown]> = {};
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name];
    if (String(got).toLowerCase() !== String(want).toLowerCase()) out[name] = [want, got ?? null];
  }
  return out;
}

/** Everything `piwardrive-cloud doctor` shows, read on a connection opened like serve and worker open theirs. */
export async function collectCloudDoctorReport(input: {
  db: Client;
  /** For the report header (credentials already removed). */
  label: string;
  dbPath: string | undefined;
  busyTimeoutMs: number;
  slowStatementMs: number;
  top: number;
}): Promise<CloudDoctorReport> {
  const { db } = input;
  const expected = input.dbPath === undefined ? {} : expectedPragmas(input.busyTimeoutMs);
  const connections: ConnectionPragmas[] = [];
  const opened = await readPragmas(db);
  connections.push({ connection: "opened", pragmas: opened, drift: drift(expected, opened) });
  await reopenCloudDb(db);
  const reopened = await readPragmas(db);
  connections.push({ connection: "reopened", pragmas: reopened, drift: drift(expected, reopened) });

  const num = async (sql: string) => Number((await db.execute(sql)).rows[0]?.[0] ?? 0);
  const pageSize = await num("PRAGMA page_size");
  const pageCount = await num("PRAGMA page_count");
  const freelistCount = await num("PRAGMA freelist_count");
  const analyzed =
    (await db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).rows.length > 0;

  const now = Date.now();
  const plans = await checkHotStatements(db, now);
  const reads: { name: string; ms: number; rows: number }[] = [];
  for (const hot of hotStatements(now)) {
    if (hot.writes === true) continue;
    const started = performance.now();
    const rs = await db.execute(hot.statement);
    reads.push({
      name: hot.name,
      ms: Math.round((performance.now() - started) * 1000) / 1000,
      rows: rs.rows.length,
    });
  }
  reads.sort((a, b) => b.ms - a.ms);
  const slow = reads.filter((r) => r.ms >= input.slowStatementMs).map((r) => r.name);

  const maintenance = (await lastMaintenanceRun(db).catch(() => undefined)) ?? null;
  const problems: string[] = [];
  const notes: string[] = [];
  for (const c of connections) {
    for (const [name, [want, got]] of Object.entries(c.drift)) {
      problems.push(`${c.connection} connection: ${name} is ${String(got)}, expected ${want}`);
    }
  }
  // SQLite rightly scans a table its statistics call small; only a scan of a table that really is large
  // is a problem here (the tests fail on any, see db/hot-statements.test.ts).
  const rowCounts = new Map<string, number>();
  for (const p of plans) {
    for (const [i, scan] of p.fullScans.entries()) {
      const table = p.scannedTables[i] ?? "";
      if (!rowCounts.has(table)) rowCounts.set(table, await num(`SELECT count(*) FROM "${table}"`));
      const rows = rowCounts.get(table) ?? 0;
      if (rows >= LARGE_TABLE_ROWS) problems.push(`${p.name}: ${scan} (a full scan of ${rows} rows)`);
      else
        notes.push(`${p.name}: ${scan} (fine while ${table} has ${rows} rows; statistics say it is small)`);
    }
  }
  if (maintenance?.status === "failed")
    problems.push(`last maintenance run failed (${maintenance.startedAt})`);

  return {
    db: input.label,
    expected,
    connections,
    files:
      input.dbPath === undefined
        ? undefined
        : {
            dbBytes: size(input.dbPath),
            walBytes: size(`${input.dbPath}-wal`),
            shmBytes: size(`${input.dbPath}-shm`),
          },
    pages: {
      pageSize,
      pageCount,
      freelistCount,
      freePercent: pageCount === 0 ? 0 : Math.round((freelistCount / pageCount) * 1000) / 10,
    },
    analyzed,
    plans,
    statements: { thresholdMs: input.slowStatementMs, reads: reads.slice(0, input.top), slow },
    maintenance,
    problems,
    notes,
  };
}
