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

/**
 * Per route template, what each API process answered in one sampling interval: the request count, the
 * 5xx count and the latencies as an HDR histogram (compressed base64), so a report can merge intervals
 * into exact window percentiles instead of averaging percentiles. Same retention as system_samples.
 */
export const routeSamples = sqliteTable(
  "route_samples",
  {
    process: text("process").notNull(),
    takenAt: integer("taken_at").notNull(),
    method: text("method").notNull(),
    /** The route template (`/v1/networks/:mac`), never a raw path. */
    route: text("route").notNull(),
    requests: integer("requests").notNull(),
    serverErrors: integer("server_errors").notNull(),
    latencyHdr: text("latency_hdr").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.process, t.takenAt, t.method, t.route] }),
    index("route_samples_taken_idx").on(t.takenAt),
  ],
);
