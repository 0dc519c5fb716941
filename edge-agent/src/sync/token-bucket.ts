/**
 * A byte-rate limiter for metered links: `take(n)` resolves once n bytes may be sent. The bucket holds at
 * most `burstBytes`; a request larger than what is available goes into debt and waits for the refill,
 * so the long-run rate never exceeds `bytesPerSecond` whatever the body sizes. Callers are served in turn.
 */
export class TokenBucket {
  readonly bytesPerSecond: number;
  readonly burstBytes: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();
  #now: () => number;
  #sleep: (ms: number) => Promise<void>;

  constructor(
    bytesPerSecond: number,
    burstBytes: number = bytesPerSecond,
    now: () => number = () => performance.now(),
    sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError("bytesPerSecond must be positive");
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = Math.max(0, burstBytes);
    this.#tokens = this.burstBytes;
    this.#now = now;
    this.#last = now();
    this.#sleep = sleep;
  }

  take(bytes: number): Promise<void> {
    const turn = this.#queue.then(() => this.#take(bytes));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #take(bytes: number): Promise<void> {
    const now = this.#now();
    this.#tokens = Math.min(
      this.burstBytes,
      this.#tokens + ((now - this.#last) * this.bytesPerSecond) / 1000,
    );
    this.#last = now;
    this.#tokens -= bytes;
    if (this.#tokens < 0) await this.#sleep(Math.ceil((-this.#tokens * 1000) / this.bytesPerSecond));
  }
}
