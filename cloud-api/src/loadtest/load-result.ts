import type { LatencySummary } from "./latency-histogram.js";
import type { MeasuredRun, RouteStats } from "./run-stats.js";
import type { ThresholdResult } from "./thresholds.js";

export interface Comparison {
  baseline: string;
  verdict: "faster" | "slower" | "same";
  changePct: number;
  pValue: number;
}

/** The one object `loadtest http --json` prints (the issue's shape, nothing more). */
export interface LoadResult {
  scenario: string;
  model: "open" | "closed";
  /** Asked rate in req/s; null for --closed, which has no schedule. */
  rate: number | null;
  durationS: number;
  requests: number;
  achievedRps: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  lateStarts: number;
  latencyMs: LatencySummary;
  perRoute: Record<string, RouteStats>;
  thresholds: ThresholdResult[];
  comparison: Comparison | null;
}

export function toLoadResult(input: {
  scenario: string;
  model: "open" | "closed";
  rate: number;
  durationS: number;
  run: MeasuredRun;
  thresholds: ThresholdResult[];
  comparison: Comparison | null;
}): LoadResult {
  const { run } = input;
  return {
    scenario: input.scenario,
    model: input.model,
    rate: input.model === "open" ? input.rate : null,
    durationS: input.durationS,
    requests: run.requests,
    achievedRps: run.achievedRps,
    errors: run.errors,
    timeouts: run.timeouts,
    non2xx: run.non2xx,
    lateStarts: run.lateStarts,
    latencyMs: run.latencyMs,
    perRoute: run.perRoute,
    thresholds: input.thresholds,
    comparison: input.comparison,
  };
}

/** 0 when every threshold holds and no regression was found, 2 otherwise. */
export function exitStatusOf(result: LoadResult): 0 | 2 {
  const failed = result.thresholds.some((t) => !t.ok) || result.comparison?.verdict === "slower";
  return failed ? 2 : 0;
}

/** A few human lines for the terminal (no --json). */
export function describeResult(r: LoadResult): string {
  const l = r.latencyMs;
  const lines = [
    `${r.scenario} (${r.model}${r.rate === null ? "" : ` at ${r.rate} req/s`}) for ${r.durationS} s: ` +
      `${r.requests} requests, ${r.achievedRps} req/s achieved, ${r.errors} errors ` +
      `(${r.timeouts} timeouts, ${r.non2xx} non-2xx), ${r.lateStarts} late starts`,
    `latency ms: p50 ${l.p50}  p90 ${l.p90}  p95 ${l.p95}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}`,
    ...Object.entries(r.perRoute).map(
      ([route, s]) => `  ${route}: ${s.requests} requests, ${s.errors} errors, p50 ${s.p50} p99 ${s.p99} ms`,
    ),
    ...r.thresholds.map((t) => `${t.ok ? "✓" : "✗"} ${t.expr} (observed ${t.observed})`),
  ];
  const c = r.comparison;
  if (c !== null) {
    lines.push(
      `vs ${c.baseline}: ${c.verdict} (${c.changePct > 0 ? "+" : ""}${c.changePct} %, p=${c.pValue})`,
    );
  }
  return lines.join("\n");
}
