import { Counter, type CounterConfiguration, type LabelValues } from "prom-client";

/**
 * A prom-client counter bumped on every request, tallied in a Map until it is read: `inc` is a Map
 * lookup and an addition, and the tallies reach the counter when a scrape (or `get()`) collects it.
 * prom-client's own `inc` validates and hashes the labels each call, which several times per request
 * was a measurable share of a cached analyst GET. Label sets are bounded (route templates, results), so
 * the tallies are too.
 */
export class TalliedCounter<T extends string> {
  readonly counter: Counter<T>;
  readonly #tallies = new Map<string, { labels: LabelValues<T>; n: number }>();

  constructor(config: Omit<CounterConfiguration<T>, "collect">) {
    const tallies = this.#tallies;
    this.counter = new Counter<T>({
      ...config,
      collect() {
        for (const tally of tallies.values()) {
          if (tally.n === 0) continue;
          this.inc(tally.labels, tally.n);
          tally.n = 0;
        }
      },
    });
  }

  /** Counts one; `key` must name `labels` exactly (e.g. their values joined), it is what tallies by. */
  inc(key: string, labels: LabelValues<T>): void {
    const tally = this.#tallies.get(key);
    if (tally === undefined) this.#tallies.set(key, { labels, n: 1 });
    else tally.n += 1;
  }
}
