import type { MeasuredRun } from "./run-stats.js";

/*
 * Threshold grammar (k6-like; whitespace ignored):
 *
 *   threshold := metric op number [unit]
 *   metric    := "p(" number ")"                          latency percentile, 0 < n <= 100, in ms
 *              | p50 | p90 | p95 | p99 | p999 | max | med  the same percentiles by name, in ms
 *              | errors | timeouts | non2xx | lateStarts   share of all measured requests, in %
 *              | achievedRps | rps                         responses per second
 *   op        := < | <= | > | >=
 *   unit      := ms | s (latency only) | % (shares only; optional)
 *
 * e.g. `p(95)<500`, `p99<200ms`, `errors<1%`, `achievedRps>=950`.
 */

export interface Threshold {
  expr: string;
  metric: string;
  op: "<" | "<=" | ">" | ">=";
  value: number;
  /** Reads the metric from a run, in the unit `value` is in. */
  observe(run: MeasuredRun): number;
}

export interface ThresholdResult {
  expr: string;
  observed: number;
  ok: boolean;
}

export class ThresholdSyntaxError extends Error {
  override name = "ThresholdSyntaxError";
}

const NAMED_PERCENTILES: Record<string, number> = { p50: 50, med: 50, p90: 90, p95: 95, p99: 99, p999: 99.9 };
const SHARES = ["errors", "timeouts", "non2xx", "lateStarts"] as const;
const PATTERN = /^([A-Za-z0-9]+(?:\(\s*[0-9.]+\s*\))?)\s*(<=|>=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(ms|s|%)?$/;

const round = (n: number) => Math.round(n * 1000) / 1000;

export function parseThreshold(expr: string): Threshold {
  const text = expr.trim();
  const m = PATTERN.exec(text);
  if (m === null) {
    throw new ThresholdSyntaxError(
      `bad threshold "${expr}": expected <metric><op><value>, e.g. p(95)<500, errors<1%, achievedRps>=100`,
    );
  }
  const [, rawMetric = "", op = "<", rawValue = "0", unit] = m;
  const metric = rawMetric.replace(/\s+/g, "");
  let value = Number(rawValue);
  const base = { expr: text, metric, op: op as Threshold["op"] };
  const percentile = percentileOf(metric);
  if (percentile !== undefined) {
    if (unit === "%")
      throw new ThresholdSyntaxError(`bad threshold "${expr}": ${metric} is a latency (ms or s)`);
    if (unit === "s") value *= 1000;
    return {
      ...base,
      value,
      observe: (run) =>
        percentile === "max" ? run.latencyMs.max : round(percentileFromRun(run, percentile)),
    };
  }
  if ((SHARES as readonly string[]).includes(metric)) {
    if (unit === "ms" || unit === "s")
      throw new ThresholdSyntaxError(`bad threshold "${expr}": ${metric} is a %`);
    const key = metric as (typeof SHARES)[number];
    return {
      ...base,
      value,
      observe: (run) => (run.requests === 0 ? 100 : round((run[key] / run.requests) * 100)),
    };
  }
  if (metric === "achievedRps" || metric === "rps") {
    if (unit !== undefined)
      throw new ThresholdSyntaxError(`bad threshold "${expr}": ${metric} takes no unit`);
    return { ...base, value, observe: (run) => run.achievedRps };
  }
  throw new ThresholdSyntaxError(
    `bad threshold "${expr}": unknown metric ${metric} (p(N), p50, p90, p95, p99, p999, max, med, ` +
      `errors, timeouts, non2xx, lateStarts, achievedRps)`,
  );
}

function percentileOf(metric: string): number | "max" | undefined {
  if (metric === "max") return "max";
  const named = NAMED_PERCENTILES[metric];
  if (named !== undefined) return named;
  const m = /^p\(([0-9.]+)\)$/.exec(metric);
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (!(n > 0 && n <= 100))
    throw new ThresholdSyntaxError(`bad threshold: percentile ${m[1]} is not in (0, 100]`);
  return n;
}

/** Percentiles other than the summary's are read from the run's latency sample. */
function percentileFromRun(run: MeasuredRun, percentile: number): number {
  const byName: Record<number, number> = {
    50: run.latencyMs.p50,
    90: run.latencyMs.p90,
    95: run.latencyMs.p95,
    99: run.latencyMs.p99,
    99.9: run.latencyMs.p999,
    100: run.latencyMs.max,
  };
  const known = byName[percentile];
  if (known !== undefined) return known;
  const sorted = [...run.samplesMs].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export function evaluateThresholds(thresholds: readonly Threshold[], run: MeasuredRun): ThresholdResult[] {
  return thresholds.map((t) => {
    const observed = t.observe(run);
    const ok =
      t.op === "<"
        ? observed < t.value
        : t.op === "<="
          ? observed <= t.value
          : t.op === ">"
            ? observed > t.value
            : observed >= t.value;
    return { expr: t.expr, observed, ok };
  });
}
