import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Periodic resource readings and what the guards decided, so `status` in another process can show them. */
export const healthSamples = sqliteTable(
  "health_samples",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sampledAt: integer("sampled_at").notNull(),
    rssMb: real("rss_mb"),
    availableMemMb: real("available_mem_mb"),
    diskFreeMb: real("disk_free_mb"),
    socTempC: real("soc_temp_c"),
    eventLoopLagMs: real("event_loop_lag_ms"),
    writerQueueDepth: integer("writer_queue_depth"),
    /** JSON: the guard states and their reasons at sampling time. */
    guards: text("guards").notNull(),
  },
  (t) => [index("health_samples_time_idx").on(t.sampledAt)],
);

export type HealthSampleRow = typeof healthSamples.$inferSelect;
