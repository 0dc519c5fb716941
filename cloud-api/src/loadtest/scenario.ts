/** One request a scenario asks for; `route` is the template it is reported under (perRoute key). */
export interface PlannedRequest {
  method: string;
  /** Path and query, relative to the target's base URL. */
  path: string;
  route: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
}

/**
 * What the generator sends. `next()` is synchronous so a start never waits on the scenario; anything
 * costly (encoding ingest batches, reading parameters from the database) happens in `prepare`.
 */
export interface Scenario {
  name: string;
  /** Called once before the run with the number of requests the schedule will start (an estimate for --closed). */
  prepare?(expectedRequests: number): Promise<void>;
  next(random: () => number): PlannedRequest;
  /** Undo what `prepare` set up (e.g. remove the simulated devices); called even when the run failed. */
  close?(): Promise<void>;
}

export interface WeightedRequest extends PlannedRequest {
  weight: number;
}

/** Picks items (requests, operations) at random in proportion to their weights (cumulative table + binary search). */
export function weightedPicker<T extends { weight: number }>(
  requests: readonly T[],
): (random: () => number) => T {
  if (requests.length === 0) throw new Error("a scenario needs at least one request");
  const cumulative: number[] = [];
  let total = 0;
  for (const r of requests) {
    if (!(r.weight > 0) || !Number.isFinite(r.weight))
      throw new Error(`weight must be > 0 (got ${r.weight})`);
    total += r.weight;
    cumulative.push(total);
  }
  return (random) => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return requests[lo] as T;
  };
}

/** A small seeded PRNG (mulberry32) so a run's request mix can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
