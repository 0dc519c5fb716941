import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * System figures sampled every few seconds by each API and worker process (systeminformation, plus the
 * process's own event-loop lag); bounded retention. The performance report reads them over time windows.
 */
export const systemSamples = sqliteTable(
  "system_samples",
  {
    /** api | worker, with the pid: `api-1234` */
    process: text("process").notNull(),
    takenAt: integer("taken_at").notNull(),
    cpuPct: real("cpu_pct"),
    memUsedPct: real("mem_used_pct"),
    rssMb: real("rss_mb"),
    diskUsedPct: real("disk_used_pct"),
    netRxBps: real("net_rx_bps"),
    netTxBps: real("net_tx_bps"),
    loopLagP99Ms: real("loop_lag_p99_ms"),
  },
  (t) => [primaryKey({ columns: [t.process, t.takenAt] }), index("system_samples_taken_idx").on(t.takenAt)],
);
