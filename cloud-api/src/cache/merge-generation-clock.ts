import type { Client } from "@libsql/client";
import { readMergeGeneration } from "../services/merge-generation.js";

/**
 * The merge generation as this API process knows it, read from the database at most once per `maxAgeMs`
 * (0: on every call, never shared). Merges run in worker processes (and other API replicas share the database), so
 * nothing in this process hears about them: the bounded re-read is what invalidates, and `maxAgeMs` is
 * how stale a cached answer can be (docs/decisions/0028-analyst-response-cache.md). With a max age,
 * concurrent callers share one read in flight.
 */
export class MergeGenerationClock {
  private value = -1;
  private readAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<number> | undefined;

  constructor(
    private readonly db: Client,
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  current(): Promise<number> {
    if (this.maxAgeMs <= 0) return this.read();
    if (this.now() - this.readAt < this.maxAgeMs) return Promise.resolve(this.value);
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<number> {
    const started = this.now();
    const { generation } = await readMergeGeneration(this.db);
    // Generations only grow; a slow read that raced a newer one never moves the clock back.
    this.value = Math.max(this.value, generation);
    this.readAt = started;
    return this.value;
  }
}
