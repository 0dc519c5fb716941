import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from "hdr-histogram-js";

/** Latency percentiles in milliseconds, as the --json result prints them. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * An HDR histogram of latencies, recorded in microseconds with 3 significant digits: every recorded value
 * is kept within 0.1 % of itself, from 1 µs to one hour, in a few tens of kB whatever the request count.
 */
export class LatencyHistogram {
  readonly #histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** A histogram `encode()` wrote (HDR's compressed base64 form). */
  static decode(encoded: string): LatencyHistogram {
    const histogram = new LatencyHistogram();
    histogram.#histogram.add(decodeFromCompressedBase64(encoded));
    return histogram;
  }

  encode(): string {
    return encodeIntoCompressedBase64(this.#histogram);
  }

  /** Adds every value `other` holds (merging intervals into one window). */
  add(other: LatencyHistogram): void {
    this.#histogram.add(other.#histogram);
  }

  /** Records one latency given in milliseconds (clamped to the trackable range). */
  recordMs(ms: number): void {
    const us = Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000)));
    this.#histogram.recordValue(us);
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  get meanMs(): number {
    return this.#histogram.totalCount === 0 ? 0 : this.#histogram.mean / 1000;
  }

  /**
   * The value at `percentile` (0-100] in ms; 0 when nothing was recorded. HDR answers with the top of the
   * value's bucket, which can lie above the largest value recorded: it is capped there, so p99 <= max.
   */
  percentileMs(percentile: number): number {
    if (this.#histogram.totalCount === 0) return 0;
    return Math.min(this.#histogram.getValueAtPercentile(percentile), this.#histogram.maxValue) / 1000;
  }

  summary(): LatencySummary {
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      p50: round(this.percentileMs(50)),
      p90: round(this.percentileMs(90)),
      p95: round(this.percentileMs(95)),
      p99: round(this.percentileMs(99)),
      p999: round(this.percentileMs(99.9)),
      max: round(this.#histogram.totalCount === 0 ? 0 : this.#histogram.maxValue / 1000),
    };
  }
}
