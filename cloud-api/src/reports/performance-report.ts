import type { Client } from "@libsql/client";
import { LatencyHistogram } from "../loadtest/latency-histogram.js";
import { escapeHtml } from "./escape.js";
import { htmlPage, type Section, table } from "./html-page.js";
import { figureStats, isoTime, type ReportWindow } from "./report-window.js";
import { lineChart } from "./svg-chart.js";

const FIGURES = [
  ["cpu_pct", "CPU %"],
  ["mem_used_pct", "memory used %"],
  ["rss_mb", "process RSS MB"],
  ["disk_used_pct", "disk used %"],
  ["net_rx_bps", "network rx B/s"],
  ["net_tx_bps", "network tx B/s"],
  ["loop_lag_p99_ms", "event-loop lag p99 ms"],
] as const;

export async function performanceData(db: Client, w: ReportWindow) {
  const samples = await db.execute({
    sql: `SELECT process, taken_at, ${FIGURES.map((f) => f[0]).join(", ")} FROM system_samples
      WHERE taken_at >= ? AND taken_at < ? ORDER BY taken_at`,
    args: [w.since, w.until],
  });
  const processes = [...new Set(samples.rows.map((r) => String(r.process)))].sort();
  const figures = FIGURES.map(([column, label]) => ({
    figure: label,
    perProcess: processes.map((p) => {
      const rows = samples.rows.filter((r) => r.process === p && r[column] !== null);
      return {
        process: p,
        stats: figureStats(rows.map((r) => Number(r[column]))),
        points: rows.map((r) => [Number(r.taken_at), Number(r[column])] as [number, number]),
      };
    }),
  }));
  const merge = await db.execute({
    sql: `SELECT (merged_at / 3600000) * 3600000 AS hour, count(*) AS batches, sum(inserted_count) AS rows,
      avg(merged_at - received_at) AS lag_ms, max(merged_at - received_at) AS max_lag_ms
      FROM landed_batches WHERE merged_at >= ? AND merged_at < ? GROUP BY hour ORDER BY hour`,
    args: [w.since, w.until],
  });
  const depth = await db.execute("SELECT count(*) AS n FROM landed_batches WHERE status = 'landed'");
  const routes = await routeFigures(db, w);
  const runs = await db.execute({
    sql: `SELECT id, name, origin, created_at, result FROM load_test_runs
      WHERE status = 'done' AND created_at >= ? AND created_at < ? ORDER BY created_at`,
    args: [w.since, w.until],
  });
  return {
    figures,
    merge: merge.rows.map((r) => ({
      hour: Number(r.hour),
      batches: Number(r.batches),
      rows: Number(r.rows ?? 0),
      avgLagMs: Math.round(Number(r.lag_ms ?? 0)),
      maxLagMs: Number(r.max_lag_ms ?? 0),
    })),
    queueDepth: Number(depth.rows[0]?.n ?? 0),
    routes,
    loadTests: runs.rows.map((r) => {
      const result = JSON.parse(String(r.result)) as {
        scenario: string;
        achievedRps: number;
        latencyMs: { p50: number; p99: number };
        thresholds: { expr: string; observed: number; ok: boolean }[];
        comparison: { baseline: string; verdict: string; changePct: number; pValue: number } | null;
      };
      return {
        id: String(r.id),
        name: r.name === null ? null : String(r.name),
        origin: String(r.origin),
        createdAt: Number(r.created_at),
        result,
      };
    }),
  };
}

export function performanceHtml(data: Awaited<ReturnType<typeof performanceData>>, w: ReportWindow): string {
  const sections: Section[] = data.figures.map((f) => ({
    heading: f.figure,
    html:
      lineChart(
        f.figure,
        f.perProcess.map((p) => ({ name: p.process, points: p.points })),
        isoTime,
      ) +
      table(
        ["process", "avg", "min", "max", "p95", "current", "samples"],
        f.perProcess.map((p) => [
          p.process,
          p.stats?.avg ?? null,
          p.stats?.min ?? null,
          p.stats?.max ?? null,
          p.stats?.p95 ?? null,
          p.stats?.current ?? null,
          p.stats?.samples ?? 0,
        ]),
      ),
  }));
  sections.push({
    heading: `Merge throughput and lag (queue depth now: ${data.queueDepth} batches waiting)`,
    html:
      lineChart(
        "merged rows per hour",
        [{ name: "rows", points: data.merge.map((m) => [m.hour, m.rows]) }],
        isoTime,
      ) +
      table(
        ["hour", "batches", "rows", "avg lag ms", "max lag ms"],
        data.merge.map((m) => [isoTime(m.hour), m.batches, m.rows, m.avgLagMs, m.maxLagMs]),
      ),
  });
  sections.push({
    heading: "Load-test runs",
    html: table(
      ["when", "name", "scenario", "req/s", "p50 ms", "p99 ms", "thresholds", "comparison"],
      data.loadTests.map((t) => [
        isoTime(t.createdAt),
        t.name,
        t.result.scenario,
        t.result.achievedRps,
        t.result.latencyMs.p50,
        t.result.latencyMs.p99,
        {
          html: t.result.thresholds
            .map(
              (th) =>
                `<span class="${th.ok ? "ok" : "bad"}">${th.ok ? "✓" : "✗"} ${escapeHtml(th.expr)}</span>`,
            )
            .join("<br>"),
        },
        t.result.comparison === null
          ? null
          : `${t.result.comparison.verdict} vs ${t.result.comparison.baseline} (${t.result.comparison.changePct} %, p=${t.result.comparison.pValue})`,
      ]),
    ),
  });
  sections.push({
    heading: "Request rate and latency per route",
    html:
      lineChart(
        "requests per second",
        data.routes
          .slice(0, CHARTED_ROUTES)
          .map((r) => ({ name: `${r.method} ${r.route}`, points: r.points })),
        isoTime,
      ) +
      table(
        ["method", "route", "requests", "avg req/s", "5xx", "p50 ms", "p95 ms", "p99 ms", "max ms"],
        data.routes.map((r) => [
          r.method,
          r.route,
          r.requests,
          r.avgRps,
          r.serverErrors,
          r.latencyMs.p50,
          r.latencyMs.p95,
          r.latencyMs.p99,
          r.latencyMs.max,
        ]),
      ),
  });
  return htmlPage("Performance report", `${isoTime(w.since)} to ${isoTime(w.until)} UTC`, sections);
}

/** Routes drawn in the chart (the busiest); the table lists them all. */
const CHARTED_ROUTES = 8;
/** Points per route in the chart: the window is cut into this many equal buckets. */
const RATE_BUCKETS = 60;

/**
 * Per (method, route template) over the window, from every API process's route_samples: requests, 5xx,
 * the request rate per bucket, and latency percentiles from the intervals' HDR histograms added together
 * (exact within the histogram's 0.1 %, not an average of percentiles). Busiest route first.
 */
async function routeFigures(db: Client, w: ReportWindow) {
  const rs = await db.execute({
    sql: `SELECT taken_at, method, route, requests, server_errors, latency_hdr FROM route_samples
      WHERE taken_at >= ? AND taken_at < ? ORDER BY taken_at`,
    args: [w.since, w.until],
  });
  const bucketMs = (w.until - w.since) / RATE_BUCKETS;
  const routes = new Map<
    string,
    {
      method: string;
      route: string;
      requests: number;
      serverErrors: number;
      latency: LatencyHistogram;
      buckets: number[];
    }
  >();
  for (const row of rs.rows) {
    const key = `${String(row.method)} ${String(row.route)}`;
    let r = routes.get(key);
    if (r === undefined) {
      r = {
        method: String(row.method),
        route: String(row.route),
        requests: 0,
        serverErrors: 0,
        latency: new LatencyHistogram(),
        buckets: new Array<number>(RATE_BUCKETS).fill(0),
      };
      routes.set(key, r);
    }
    r.requests += Number(row.requests);
    r.serverErrors += Number(row.server_errors);
    r.latency.add(LatencyHistogram.decode(String(row.latency_hdr)));
    const b = Math.min(RATE_BUCKETS - 1, Math.floor((Number(row.taken_at) - w.since) / bucketMs));
    r.buckets[b] = (r.buckets[b] ?? 0) + Number(row.requests);
  }
  return [...routes.values()]
    .sort((a, b) => b.requests - a.requests || a.route.localeCompare(b.route))
    .map((r) => ({
      method: r.method,
      route: r.route,
      requests: r.requests,
      serverErrors: r.serverErrors,
      avgRps: significant(r.requests / ((w.until - w.since) / 1000)),
      latencyMs: r.latency.summary(),
      points: r.buckets.map(
        (n, i) => [w.since + (i + 0.5) * bucketMs, significant(n / (bucketMs / 1000))] as [number, number],
      ),
    }));
}

/** Rates keep 4 significant digits: a quiet route over a long window is a small number, not 0. */
const significant = (x: number) => Number(x.toPrecision(4));
