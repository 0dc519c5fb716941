import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per run of the {maintenance} job (PRAGMA optimize, WAL checkpoint, payload retention, vacuum):
 * what each step did, as JSON, so `piwardrive-cloud doctor` can show the last run. Bounded: the job keeps
 * the newest runs only.
 */
export const maintenanceRuns = sqliteTable(
  "maintenance_runs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    startedAt: integer("started_at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** ok | failed */
    status: text("status").notNull(),
    /** The MaintenanceResult as JSON (or the error). */
    result: text("result").notNull(),
  },
  (t) => [index("maintenance_runs_started_idx").on(t.startedAt)],
);
