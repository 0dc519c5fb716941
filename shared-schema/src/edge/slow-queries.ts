import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Statements that ran over the slow-query threshold, with their plan; bounded by the maintenance job. */
export const slowQueries = sqliteTable(
  "slow_queries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    recordedAt: integer("recorded_at").notNull(),
    sql: text("sql").notNull(),
    durationMs: real("duration_ms").notNull(),
    plan: text("plan").notNull(),
  },
  (t) => [index("slow_queries_time_idx").on(t.recordedAt)],
);
