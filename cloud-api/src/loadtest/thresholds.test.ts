import { describe, expect, it } from "vitest";
import type { MeasuredRun } from "./run-stats.js";
import { evaluateThresholds, parseThreshold, ThresholdSyntaxError } from "./thresholds.js";

const run: MeasuredRun = {
  requests: 1000,
  errors: 20,
  timeouts: 5,
  non2xx: 15,
  lateStarts: 0,
  latencyMs: { p50: 10, p90: 20, p95: 30, p99: 80, p999: 120, max: 150 },
  perRoute: {},
  achievedRps: 99.5,
  elapsedS: 10,
  schedDelayMs: { p50: 0.01, p99: 0.2, max: 0.5 },
  samplesMs: Array.from({ length: 100 }, (_, i) => i + 1),
};

const check = (...exprs: string[]) => evaluateThresholds(exprs.map(parseThreshold), run);

describe("thresholds", () => {
  it("evaluates latency, share and rate metrics in their units", () => {
    expect(
      check("p(95)<500", "p99<200", "p95 < 0.02s", "errors<1%", "errors<=2", "achievedRps>=100"),
    ).toEqual([
      { expr: "p(95)<500", observed: 30, ok: true },
      { expr: "p99<200", observed: 80, ok: true },
      { expr: "p95 < 0.02s", observed: 30, ok: false },
      { expr: "errors<1%", observed: 2, ok: false },
      { expr: "errors<=2", observed: 2, ok: true },
      { expr: "achievedRps>=100", observed: 99.5, ok: false },
    ]);
    expect(check("p(75)<80", "timeouts<1%", "max<=150")).toEqual([
      { expr: "p(75)<80", observed: 75, ok: true },
      { expr: "timeouts<1%", observed: 0.5, ok: true },
      { expr: "max<=150", observed: 150, ok: true },
    ]);
  });

  it("refuses what it cannot read, saying why", () => {
    expect(() => parseThreshold("p95")).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold("latency<5")).toThrow(/unknown metric latency/);
    expect(() => parseThreshold("p(101)<5")).toThrow(/not in \(0, 100\]/);
    expect(() => parseThreshold("errors<5ms")).toThrow(/is a %/);
    expect(() => parseThreshold("p99<5%")).toThrow(/latency/);
    expect(() => parseThreshold("p99=5")).toThrow(/expected <metric><op><value>/);
  });
});
