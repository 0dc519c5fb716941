import type { SendOutcome } from "./http-sender.js";
import { LatencyHistogram, type LatencySummary } from "./latency-histogram.js";

/** A start later than this after its due time is a late start (the generator, not the server, lagged). */
export const LATE_START_MS = 1;
/** Per-request latencies kept for --compare (a uniform reservoir sample when there are more). */
export const SAMPLE_CAPACITY = 20_000;

export interface RouteStats extends LatencySummary {
  requests: number;
  errors: number;
}

export interface Counts {
  requests: number;
  /** Requests that did not end in a 2xx: non2xx + timeouts + transport errors. */
  errors: number;
  timeouts: number;
  non2xx: number;
  lateStarts: number;
}

/** What one run measured, before thresholds and comparison. */
export interface MeasuredRun extends Counts {
  latencyMs: LatencySummary;
  perRoute: Record<string, RouteStats>;
  /** Responses (any status) per second over the measured window. */
  achievedRps: number;
  elapsedS: number;
  /** The generator's own scheduling delay (open model; zeros for --closed). */
  schedDelayMs: { p50: number; p99: number; max: number };
  samplesMs: number[];
}

interface RouteAccumulator {
  histogram: LatencyHistogram;
  requests: number;
  errors: number;
}

/** Accumulates outcomes of measured requests (warm-up requests are never handed in). */
export class RunStats {
  readonly #overall = new LatencyHistogram();
  readonly #schedDelay = new LatencyHistogram();
  readonly #routes = new Map<string, RouteAccumulator>();
  readonly #samples: number[] = [];
  readonly #random: () => number;
  readonly counts: Counts = { requests: 0, errors: 0, timeouts: 0, non2xx: 0, lateStarts: 0 };
  responses = 0;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  recordStart(delayMs: number): void {
    this.#schedDelay.recordMs(Math.max(0, delayMs));
    if (delayMs > LATE_START_MS) this.counts.lateStarts += 1;
  }

  recordOutcome(route: string, latencyMs: number, outcome: SendOutcome): void {
    const c = this.counts;
    c.requests += 1;
    const failed = outcome.kind !== "response" || outcome.status < 200 || outcome.status > 299;
    if (outcome.kind === "response") this.responses += 1;
    if (outcome.kind === "timeout") c.timeouts += 1;
    if (outcome.kind === "response" && failed) c.non2xx += 1;
    if (failed) c.errors += 1;
    this.#overall.recordMs(latencyMs);
    let r = this.#routes.get(route);
    if (r === undefined) {
      r = { histogram: new LatencyHistogram(), requests: 0, errors: 0 };
      this.#routes.set(route, r);
    }
    r.requests += 1;
    if (failed) r.errors += 1;
    r.histogram.recordMs(latencyMs);
    this.#sample(latencyMs);
  }

  // Algorithm R: every measured request has the same chance of being in the sample.
  #sample(latencyMs: number): void {
    const seen = this.counts.requests;
    if (this.#samples.length < SAMPLE_CAPACITY) this.#samples.push(latencyMs);
    else {
      const slot = Math.floor(this.#random() * seen);
      if (slot < SAMPLE_CAPACITY) this.#samples[slot] = latencyMs;
    }
  }

  finish(elapsedS: number): MeasuredRun {
    const perRoute: Record<string, RouteStats> = {};
    for (const [route, r] of [...this.#routes].sort(([a], [b]) => a.localeCompare(b))) {
      perRoute[route] = { ...r.histogram.summary(), requests: r.requests, errors: r.errors };
    }
    const delay = this.#schedDelay.summary();
    return {
      ...this.counts,
      latencyMs: this.#overall.summary(),
      perRoute,
      achievedRps: elapsedS > 0 ? Math.round((this.responses / elapsedS) * 100) / 100 : 0,
      elapsedS: Math.round(elapsedS * 1000) / 1000,
      schedDelayMs: { p50: delay.p50, p99: delay.p99, max: delay.max },
      samplesMs: this.#samples.map((ms) => Math.round(ms * 1000) / 1000),
    };
  }
}
