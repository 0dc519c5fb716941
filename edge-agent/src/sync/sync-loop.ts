import type { DrainReport, SyncClient } from "./sync-client.js";

export interface SyncLoopOptions {
  /** How often an idle loop looks for a backlog. */
  pollMs?: number;
  /** How long `runOnce` may spend waiting on backoff / Retry-After before it gives up for now. */
  runOnceMaxWaitMs?: number;
  onReport?: (report: DrainReport) => void;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Opportunistic sync: while started, it looks for a backlog every `pollMs` (or when woken, e.g. after the
 * writer committed a batch) and drains it when the link allows; idle otherwise. It waits out
 * next_attempt_at (backoff, Retry-After) as persisted, so a restart does not hammer a struggling cloud.
 * After a refusal (a 4xx other than 408/429) it halts: the reason is in sync_state.last_error and in
 * `halted`, and a new process or `resume()` tries that batch again.
 */
export class SyncLoop {
  readonly client: SyncClient;
  #o: Required<Omit<SyncLoopOptions, "onReport" | "onError">> & Pick<SyncLoopOptions, "onReport" | "onError">;
  #halted: string | null = null;
  #running: Promise<void> | null = null;
  #stop: AbortController | null = null;
  #wake: AbortController | null = null;
  /** wake() arrived while a tick was running: skip the next pause. */
  #woken = false;
  #exclusive: Promise<unknown> = Promise.resolve();

  constructor(client: SyncClient, options: SyncLoopOptions = {}) {
    this.client = client;
    this.#o = { pollMs: 5_000, runOnceMaxWaitMs: 60_000, now: Date.now, ...options };
  }

  /** Why the loop stopped sending (the cloud refused a batch), or null. */
  get halted(): string | null {
    return this.#halted;
  }

  /** Drains the whole backlog now, partial batches included; the `sync --once` entry point. */
  runOnce(maxWaitMs = this.#o.runOnceMaxWaitMs): Promise<DrainReport> {
    return this.#serial(() => this.client.drain({ flush: true, maxWaitMs }));
  }

  start(): void {
    if (this.#running) return;
    const stop = new AbortController();
    this.#stop = stop;
    this.#running = this.#loop(stop.signal);
  }

  async stop(): Promise<void> {
    this.#stop?.abort();
    await this.#running;
    this.#running = null;
  }

  /** Look for a backlog now instead of at the next poll. */
  wake(): void {
    if (this.#wake) this.#wake.abort();
    else this.#woken = true;
  }

  resume(): void {
    this.#halted = null;
    this.wake();
  }

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let pause = this.#o.pollMs;
      try {
        pause = await this.#serial(() => this.#tick(signal));
      } catch (error) {
        this.#o.onError?.(error);
      }
      await this.#sleep(pause, signal);
    }
  }

  /** One look at the outbox; returns how long to wait before the next. */
  async #tick(signal: AbortSignal): Promise<number> {
    if (this.#halted !== null) return this.#o.pollMs;
    const state = await this.client.ledger.state();
    const due = (state.nextAttemptAt ?? 0) - this.#o.now();
    if (due > 0) return due;
    if ((await this.client.reader.backlog()) === 0) return this.#o.pollMs;
    const report = await this.client.drain({ flush: false, maxWaitMs: 0, signal });
    this.#o.onReport?.(report);
    const stop = report.stoppedBy;
    if (stop?.kind === "refused") this.#halted = stop.reason;
    if (stop?.kind === "retry" || stop?.kind === "backoff")
      return Math.max(0, stop.nextAttemptAt - this.#o.now());
    return this.#o.pollMs;
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#exclusive.catch(() => undefined).then(work);
    this.#exclusive = run;
    return run;
  }

  async #sleep(ms: number, stop: AbortSignal): Promise<void> {
    if (stop.aborted || this.#woken) {
      this.#woken = false;
      return;
    }
    const wake = new AbortController();
    this.#wake = wake;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop.removeEventListener("abort", done);
        wake.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
      stop.addEventListener("abort", done, { once: true });
      wake.signal.addEventListener("abort", done, { once: true });
    });
    this.#wake = null;
    this.#woken = false;
  }
}
