import { setTimeout as delay } from "node:timers/promises";
import { WireError } from "@piwardrive/shared-schema/wire";
import type { EdgeStore } from "../store/edge-store.js";
import { type BackoffPolicy, DEFAULT_BACKOFF, retryDelay } from "./backoff.js";
import { type UploadOutcome, uploadBatch } from "./http-upload.js";
import { type OutboxOptions, OutboxReader, type ReadyBatch } from "./outbox-reader.js";
import { repairCursorsAfterRollback } from "./rollback-repair.js";
import { SyncLedger } from "./sync-ledger.js";
import { TokenBucket } from "./token-bucket.js";

export interface SyncClientOptions extends Omit<OutboxOptions, "now"> {
  cloudUrl: string;
  token: string;
  /** sync_state key; defaults to the cloud URL. */
  target?: string;
  /** Batches in flight at once; the cursor still only moves in order. */
  concurrency?: number;
  requestTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Metered links: average upload rate cap in bytes/s (compressed bodies), with this much burst. */
  bandwidthBytesPerSec?: number | null;
  bandwidthBurstBytes?: number;
  now?: () => number;
  random?: () => number;
}

/** What one drain did: the `--json` output of `sync --once`. */
export interface SyncResult {
  batchesSent: number;
  observationsSent: number;
  duplicates: number;
  bytesSent: number;
  backlog: number;
}

/** Why a drain ended early: a retryable failure (with the next attempt's time) or a refusal. */
export type SyncStop =
  | { kind: "retry"; reason: string; nextAttemptAt: number }
  | { kind: "backoff"; reason: string; nextAttemptAt: number }
  | { kind: "refused"; reason: string; batchSeq: number | null };

export interface DrainReport extends SyncResult {
  stoppedBy: SyncStop | null;
}

type RoundEnd =
  | { kind: "drained" }
  | { kind: "retry"; reason: string; retryAfterMs: number | null }
  | { kind: "refused"; reason: string; batchSeq: number | null };

/**
 * Uploads the outbox: up to `concurrency` batches in flight, acknowledged batches recorded as they come
 * (the cursor moves over the acknowledged prefix only), failures retried with backoff. State lives in
 * sync_state / sync_batches, so a new client on the same database resumes where this one stopped.
 */
export class SyncClient {
  readonly ledger: SyncLedger;
  readonly reader: OutboxReader;
  #store: EdgeStore;
  #o: SyncClientOptions & { concurrency: number; backoff: BackoffPolicy; now: () => number };
  #bucket: TokenBucket | null;

  constructor(store: EdgeStore, options: SyncClientOptions) {
    const now = options.now ?? Date.now;
    this.#store = store;
    this.#o = {
      ...options,
      concurrency: Math.max(1, options.concurrency ?? 3),
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      now,
    };
    this.ledger = new SyncLedger(store, options.target ?? options.cloudUrl.replace(/\/+$/, ""), now);
    this.reader = new OutboxReader(store, this.ledger, { ...options, now });
    const rate = options.bandwidthBytesPerSec;
    this.#bucket = rate ? new TokenBucket(rate, options.bandwidthBurstBytes ?? rate) : null;
  }

  /**
   * Sends until the outbox is empty, the cloud refuses a batch, or a retry would push the total waiting
   * past `maxWaitMs` (0: return at the first failure, leaving next_attempt_at for the loop). A persisted
   * next_attempt_at in the future (Retry-After, backoff) is honoured the same way. `flush: false` lets a
   * young partial batch wait for more rows.
   */
  async drain(
    options: { flush?: boolean; maxWaitMs?: number; signal?: AbortSignal } = {},
  ): Promise<DrainReport> {
    const { flush = true, maxWaitMs = 0, signal } = options;
    const totals: SyncResult = {
      batchesSent: 0,
      observationsSent: 0,
      duplicates: 0,
      bytesSent: 0,
      backlog: 0,
    };
    await repairCursorsAfterRollback(this.#store, this.ledger.target);
    const state = await this.ledger.state();
    let wait = Math.max(0, (state.nextAttemptAt ?? 0) - this.#o.now());
    let waited = 0;
    let stoppedBy: SyncStop | null = null;
    while (!signal?.aborted) {
      if (wait > 0) {
        if (waited + wait > maxWaitMs) {
          stoppedBy ??= {
            kind: "backoff",
            reason: "waiting for the next attempt",
            nextAttemptAt: this.#o.now() + wait,
          };
          break;
        }
        await delay(wait, undefined, { signal }).catch(() => undefined);
        waited += wait;
        wait = 0;
        continue;
      }
      const end = await this.#round(flush, totals, signal);
      if (end.kind === "drained") {
        stoppedBy = null;
        break;
      }
      if (end.kind === "refused") {
        await this.ledger.block(end.batchSeq, end.reason);
        stoppedBy = end;
        break;
      }
      // Acks reset `failures` to 0, so a failure after a success starts the backoff again from the base.
      const failures = (await this.ledger.state()).failures + 1;
      wait = retryDelay(failures, end.retryAfterMs, this.#o.backoff, this.#o.random ?? Math.random);
      const nextAttemptAt = this.#o.now() + wait;
      await this.ledger.recordFailure(end.reason, failures, nextAttemptAt);
      stoppedBy = { kind: "retry", reason: end.reason, nextAttemptAt };
    }
    return { ...totals, backlog: await this.reader.backlog(), stoppedBy };
  }

  /** One pass: resend unacknowledged plans in order, then plan new batches, `concurrency` at a time. */
  async #round(flush: boolean, totals: SyncResult, signal?: AbortSignal): Promise<RoundEnd> {
    const queue = (await this.ledger.plans()).filter((p) => p.ackedAt === null);
    const inFlight = new Set<Promise<void>>();
    let end: RoundEnd | null = null;
    const settle = (next: RoundEnd) => {
      // A refusal outranks a retry; of two retries, the longer Retry-After wins.
      if (end === null || end.kind === "drained") end = next;
      else if (end.kind === "retry" && next.kind === "refused") end = next;
      else if (
        end.kind === "retry" &&
        next.kind === "retry" &&
        (next.retryAfterMs ?? 0) > (end.retryAfterMs ?? 0)
      ) {
        end = next;
      }
    };
    let exhausted = false;
    // What the cloud is told is left after each batch: the outbox counted once per round, less what each
    // batch of the round carries (one count per round, not per batch; rows written meanwhile show next round).
    let remaining = await this.reader.backlog();
    for (;;) {
      while (end === null && !exhausted && inFlight.size < this.#o.concurrency && !signal?.aborted) {
        const plan = queue.shift();
        let ready: ReadyBatch | null;
        try {
          ready = plan ? await this.reader.load(plan) : await this.reader.next(flush);
        } catch (error) {
          if (!(error instanceof WireError)) throw error;
          const batchSeq = plan?.batchSeq ?? (await this.ledger.state()).nextBatchSeq;
          settle({ kind: "refused", reason: `rows not valid for the wire: ${error.message}`, batchSeq });
          break;
        }
        if (ready === null) {
          exhausted = true;
          break;
        }
        remaining = Math.max(0, remaining - ready.plan.observationCount);
        const task = this.#send(ready, totals, remaining).then((outcome) => {
          if (outcome.kind === "retry")
            settle({ kind: "retry", reason: outcome.reason, retryAfterMs: outcome.retryAfterMs });
          if (outcome.kind === "refused")
            settle({ kind: "refused", reason: outcome.reason, batchSeq: ready.plan.batchSeq });
        });
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task)).catch(() => undefined);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    return end ?? { kind: "drained" };
  }

  async #send(ready: ReadyBatch, totals: SyncResult, backlogAfter: number): Promise<UploadOutcome> {
    const { plan, encoded } = ready;
    await this.#bucket?.take(encoded.body.byteLength);
    await this.ledger.countAttempt(plan.batchSeq);
    totals.bytesSent += encoded.body.byteLength;
    const outcome = await uploadBatch(
      { cloudUrl: this.#o.cloudUrl, token: this.#o.token, timeoutMs: this.#o.requestTimeoutMs ?? 30_000 },
      encoded,
      this.#o.now,
      backlogAfter,
    );
    if (outcome.kind === "acked") {
      await this.ledger.acknowledge(plan.batchSeq);
      totals.batchesSent += 1;
      totals.observationsSent += plan.observationCount;
      if (outcome.duplicate) totals.duplicates += 1;
    }
    return outcome;
  }
}
