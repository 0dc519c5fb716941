import type { EdgeStore, PragmaReadings } from "../store/edge-store.js";
import { spaceStats } from "../store/file-space.js";
import { hotQueries } from "../store/hot-queries.js";
import { expectedPragmas, type Tuning } from "../store/tuning.js";
import { oneLine } from "./text-layout.js";

export interface DoctorReport {
  db: string;
  tuning: Tuning;
  /** What SQLite should report for each tuned pragma. */
  expected: Record<string, string | number>;
  /** As SQLite reports them on the doctor's own connection, after the tuning was applied on open. */
  pragmas: PragmaReadings;
  drift: Record<string, [string | number, string | number | null]>;
  files: { dbBytes: number; walBytes: number; shmBytes: number };
  indexes: Array<{ name: string; table: string; sql: string | null }>;
  plans: Record<string, { sql: string; plan: string }>;
  slowQueries: {
    count: number;
    top: Array<{ recordedAt: number; durationMs: number; sql: string; plan: string }>;
  };
  maintenance: {
    pageSize: number;
    pageCount: number;
    freelistCount: number;
    freelistRatio: number;
    /** Whether ANALYZE has ever run (sqlite_stat1 exists): the planner's statistics. */
    analyzed: boolean;
  };
}

/** Everything `doctor` shows, read from one open store. */
export async function collectDoctorReport(store: EdgeStore, topSlow: number): Promise<DoctorReport> {
  const pragmas = await store.readPragmas();
  const drift = await store.pragmaDrift();
  const space = await spaceStats(store);

  const indexRows = await store.execute(
    "SELECT name, tbl_name, sql FROM sqlite_master WHERE type='index' ORDER BY tbl_name, name",
  );
  const indexes = indexRows.rows.map((r) => ({
    name: String(r.name),
    table: String(r.tbl_name),
    sql: r.sql === null ? null : String(r.sql),
  }));

  const plans: DoctorReport["plans"] = {};
  for (const [name, statement] of Object.entries(hotQueries())) {
    const sql = typeof statement === "string" ? statement : statement.sql;
    plans[name] = { sql: oneLine(sql, Number.POSITIVE_INFINITY), plan: await store.explain(statement) };
  }

  const count = await store.execute("SELECT count(*) AS n FROM slow_queries");
  const slowest = await store.execute({
    sql: "SELECT recorded_at, duration_ms, sql, plan FROM slow_queries ORDER BY duration_ms DESC LIMIT ?",
    args: [topSlow],
  });
  const stat1 = await store.execute("SELECT 1 FROM sqlite_master WHERE name='sqlite_stat1'");

  return {
    db: store.path,
    tuning: store.tuning,
    expected: expectedPragmas(store.tuning),
    pragmas,
    drift,
    files: { dbBytes: space.dbBytes, walBytes: space.walBytes, shmBytes: space.shmBytes },
    indexes,
    plans,
    slowQueries: {
      count: Number(count.rows[0]?.n ?? 0),
      top: slowest.rows.map((r) => ({
        recordedAt: Number(r.recorded_at),
        durationMs: Number(r.duration_ms),
        sql: String(r.sql),
        plan: String(r.plan),
      })),
    },
    maintenance: {
      pageSize: space.pageSize,
      pageCount: space.pageCount,
      freelistCount: space.freelistCount,
      freelistRatio: space.freelistRatio,
      analyzed: stat1.rows.length > 0,
    },
  };
}
