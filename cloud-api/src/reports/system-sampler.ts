import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Client } from "@libsql/client";
import si from "systeminformation";
import { errorFields, type Logger } from "../logger.js";
import type { RouteInterval, RouteWindow } from "../metrics/route-window.js";

export const SAMPLE_EVERY_MS = 10_000;
/** Samples older than this are deleted as new ones arrive. */
export const SAMPLE_RETENTION_MS = 14 * 86_400_000;

export interface SystemSample {
  cpuPct: number | null;
  memUsedPct: number | null;
  rssMb: number;
  diskUsedPct: number | null;
  netRxBps: number | null;
  netTxBps: number | null;
  loopLagP99Ms: number;
}

/** Every figure on its own: one failing probe (no network stats in a container) leaves the others. */
async function read(lag: ReturnType<typeof monitorEventLoopDelay>): Promise<SystemSample> {
  const [load, mem, fs, net] = await Promise.all([
    si.currentLoad().catch(() => undefined),
    si.mem().catch(() => undefined),
    si.fsSize().catch(() => undefined),
    si.networkStats().catch(() => undefined),
  ]);
  const root = fs?.find((f) => f.mount === "/") ?? fs?.[0];
  const sum = (k: "rx_sec" | "tx_sec") =>
    net === undefined ? null : net.reduce((s, n) => s + (n[k] ?? 0), 0);
  const sample: SystemSample = {
    cpuPct: load?.currentLoad ?? null,
    memUsedPct: mem === undefined ? null : ((mem.total - mem.available) / mem.total) * 100,
    rssMb: process.memoryUsage().rss / 2 ** 20,
    diskUsedPct: root?.use ?? null,
    netRxBps: sum("rx_sec"),
    netTxBps: sum("tx_sec"),
    loopLagP99Ms: lag.percentile(99) / 1e6,
  };
  lag.reset();
  return sample;
}

export async function recordSample(
  db: Client,
  processName: string,
  sample: SystemSample,
  now = Date.now(),
  routes: readonly RouteInterval[] = [],
) {
  await db.batch(
    [
      {
        sql: `INSERT OR REPLACE INTO system_samples (process, taken_at, cpu_pct, mem_used_pct, rss_mb, disk_used_pct,
          net_rx_bps, net_tx_bps, loop_lag_p99_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          processName,
          now,
          sample.cpuPct,
          sample.memUsedPct,
          sample.rssMb,
          sample.diskUsedPct,
          sample.netRxBps,
          sample.netTxBps,
          sample.loopLagP99Ms,
        ],
      },
      { sql: "DELETE FROM system_samples WHERE taken_at < ?", args: [now - SAMPLE_RETENTION_MS] },
      ...routes.map((r) => ({
        sql: `INSERT OR REPLACE INTO route_samples (process, taken_at, method, route, requests, server_errors,
          latency_hdr) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        args: [processName, now, r.method, r.route, r.requests, r.serverErrors, r.latency.encode()],
      })),
      { sql: "DELETE FROM route_samples WHERE taken_at < ?", args: [now - SAMPLE_RETENTION_MS] },
    ],
    "write",
  );
}

/**
 * Samples this process every `everyMs` into system_samples (and, for an API, what each route answered in
 * the interval into route_samples) until `stop()`; a failed sample is logged.
 */
export function startSystemSampler(input: {
  db: Client;
  role: "api" | "worker";
  logger: Logger;
  everyMs?: number;
  routes?: RouteWindow | undefined;
}) {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const name = `${input.role}-${process.pid}`;
  const timer = setInterval(() => {
    read(lag)
      .then((sample) => recordSample(input.db, name, sample, Date.now(), input.routes?.drain() ?? []))
      .catch((error: unknown) => input.logger.warn("system sample not recorded", errorFields(error)));
  }, input.everyMs ?? SAMPLE_EVERY_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      lag.disable();
    },
  };
}
