import { randomUUID } from "node:crypto";
import type { InStatement } from "@libsql/client";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import type { EdgeStore } from "./edge-store.js";
import { rollUpNetworks } from "./network-rollup.js";
import { insertGpsFixes, insertObservations, upsertNetworks } from "./write-statements.js";

export interface BatchedWriterOptions {
  /**
   * Rows per transaction (the resource guards may lower it at run time). Default 4,000: a live agent's
   * flushes are set off by age long before that (a few hundred sightings per 250 ms); the size matters when
   * rows arrive faster than they can be committed (imports, replays, a backlog), where each commit
   * rewrites the `networks` pages its batch touched. 4,000-row transactions ingested 1,000,000 sightings
   * 15-25 % faster than 1,000-row ones at about the same peak RSS; 8,000 gained little more for ~20 MB
   * (docs/decisions/0010-writer-transaction-size.md).
   */
  maxBatchRows?: number;
  /** A partial batch is flushed once its oldest row has waited this long. */
  maxBatchAgeMs?: number;
  /**
   * Producers wait while this many rows are queued (back-pressure). Default: one batch. The store's
   * connection is synchronous, so a flush runs to its COMMIT inside the `write()` that filled the batch
   * and nothing can queue behind it; the queue only grows while a failed flush waits for its retry. Rows
   * that wait long in a queue outlive V8's young generation: a second batch of room cost ~20 MB of peak
   * RSS at 4,000-row batches and bought nothing.
   */
  maxQueueRows?: number;
  /** Random per process: keeps rows written after a power-cut rollback distinct from the lost ones. */
  runId?: string;
  /** Retry delay after a failed flush: doubles from base up to max. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Called after each committed flush (the crash test and metrics listen here). */
  onFlush?: (result: FlushResult) => void;
  onError?: (error: unknown, attempt: number) => void;
}

export interface FlushResult {
  observations: number;
  fixes: number;
  networks: number;
  /** seq range of the committed observations (consecutive: one INSERT on the single connection). */
  firstSeq: number | null;
  lastSeq: number | null;
  durationMs: number;
}

/**
 * Extra statements committed in the same transaction as a flush, given the rows it holds: the importer
 * counts its own rows into imported_files this way, so that count is exactly what was committed.
 */
export interface CommitHook {
  /** Statements for the flush's transaction (asked again when a failed flush is retried). */
  statements(observations: readonly ObservationRecord[], fixes: readonly GpsFixRecord[]): InStatement[];
  /** The flush committed these rows. */
  committed?(observations: readonly ObservationRecord[], fixes: readonly GpsFixRecord[]): void;
}

export interface WriterStats {
  queued: number;
  queuedFixes: number;
  committedObservations: number;
  committedFixes: number;
  flushes: number;
  failedFlushes: number;
  refused: Record<string, number>;
  maxBatchRows: number;
  lastFlushMs: number | null;
  lastError: string | null;
}

/**
 * Collects sightings from many producers and commits them in few, large transactions: one flush is one
 * `batch()` (observations, network rollups and GPS fixes together), triggered by size or age. The queue
 * is bounded; producers wait when it is full. A failed flush keeps its rows at the head of the queue and
 * is retried with backoff: rows leave the queue only once committed.
 */
export class BatchedWriter {
  readonly runId: string;
  #store: EdgeStore;
  #maxBatchRows: number;
  #maxBatchAgeMs: number;
  #maxQueueRows: number;
  #retryBaseMs: number;
  #retryMaxMs: number;
  #onFlush: ((r: FlushResult) => void) | undefined;
  #onError: ((e: unknown, attempt: number) => void) | undefined;
  #queue: ObservationRecord[] = [];
  #fixes: GpsFixRecord[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #spaceWaiters: Array<() => void> = [];
  #refusal: string | null = null;
  #closed = false;
  #failures = 0;
  #commitHooks = new Set<CommitHook>();
  #stats: WriterStats;

  constructor(store: EdgeStore, options: BatchedWriterOptions = {}) {
    this.#store = store;
    this.runId = options.runId ?? randomUUID();
    this.#maxBatchRows = options.maxBatchRows ?? 4000;
    this.#maxBatchAgeMs = options.maxBatchAgeMs ?? 250;
    this.#maxQueueRows = Math.max(options.maxQueueRows ?? this.#maxBatchRows, this.#maxBatchRows);
    this.#retryBaseMs = options.retryBaseMs ?? 100;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.#onFlush = options.onFlush;
    this.#onError = options.onError;
    this.#stats = {
      queued: 0,
      queuedFixes: 0,
      committedObservations: 0,
      committedFixes: 0,
      flushes: 0,
      failedFlushes: 0,
      refused: {},
      maxBatchRows: this.#maxBatchRows,
      lastFlushMs: null,
      lastError: null,
    };
  }

  get stats(): WriterStats {
    return {
      ...this.#stats,
      queued: this.#queue.length,
      queuedFixes: this.#fixes.length,
      refused: { ...this.#stats.refused },
    };
  }

  get maxBatchRows(): number {
    return this.#maxBatchRows;
  }

  /** The resource guards shrink (and later restore) the batch size under memory pressure. */
  setMaxBatchRows(rows: number): void {
    this.#maxBatchRows = Math.max(1, Math.floor(rows));
    this.#stats.maxBatchRows = this.#maxBatchRows;
  }

  /** While set, new observations are refused and counted under this reason (e.g. the disk floor). */
  setRefusal(reason: string | null): void {
    this.#refusal = reason;
  }

  get refusal(): string | null {
    return this.#refusal;
  }

  /**
   * Queues sightings; resolves once they are queued (waiting while the queue is full). Returns how many
   * were accepted: 0 when the writer is refusing new data.
   */
  async write(observations: ObservationRecord | readonly ObservationRecord[]): Promise<number> {
    const rows = Array.isArray(observations) ? observations : [observations as ObservationRecord];
    if (this.#closed) throw new Error("BatchedWriter is closed");
    if (this.#refusal !== null) {
      this.#stats.refused[this.#refusal] = (this.#stats.refused[this.#refusal] ?? 0) + rows.length;
      return 0;
    }
    let offset = 0;
    while (offset < rows.length) {
      while (this.#queue.length >= this.#maxQueueRows) await this.#waitForSpace();
      const room = this.#maxQueueRows - this.#queue.length;
      const chunk = rows.slice(offset, offset + room);
      for (const row of chunk) this.#queue.push(row);
      offset += chunk.length;
      this.#schedule();
    }
    return rows.length;
  }

  /** Adds statements to every flush's transaction until the returned function removes the hook. */
  addCommitHook(hook: CommitHook): () => void {
    this.#commitHooks.add(hook);
    return () => void this.#commitHooks.delete(hook);
  }

  /** Queues GPS fixes; they ride in the next flush (duplicates of a stored epoch are ignored). */
  writeFixes(fixes: readonly GpsFixRecord[]): void {
    if (this.#closed) throw new Error("BatchedWriter is closed");
    for (const fix of fixes) this.#fixes.push(fix);
    this.#schedule();
  }

  /** Commits everything queued so far (retrying failures) and resolves when it is durable in the WAL. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#fixes.length > 0 || this.#flushing) {
      await this.#runFlush();
    }
  }

  /** Flushes what is queued and stops the timer. Further writes throw. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#flushing) return;
    if (this.#queue.length >= this.#maxBatchRows) {
      void this.#runFlush();
      return;
    }
    if (this.#timer === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.#runFlush();
      }, this.#maxBatchAgeMs);
    }
  }

  #runFlush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#flushing = this.#flushOnce().finally(() => {
      this.#flushing = null;
      if (this.#queue.length > 0 || this.#fixes.length > 0) this.#schedule();
    });
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const rows = this.#queue.slice(0, this.#maxBatchRows);
    const fixes = this.#fixes.slice();
    if (rows.length === 0 && fixes.length === 0) return;
    const started = performance.now();
    try {
      const result = await this.#commit(rows, fixes);
      this.#queue.splice(0, rows.length);
      this.#fixes.splice(0, fixes.length);
      this.#failures = 0;
      this.#stats.flushes += 1;
      this.#stats.committedObservations += rows.length;
      this.#stats.committedFixes += fixes.length;
      this.#stats.lastFlushMs = performance.now() - started;
      for (const hook of this.#commitHooks) hook.committed?.(rows, fixes);
      this.#releaseSpace();
      this.#onFlush?.({ ...result, durationMs: this.#stats.lastFlushMs });
      // Under sustained load the next flush would start from a microtask, and producers that never wait
      // on I/O would keep the event loop from ever turning: timers (GPS, guards) would starve. Yield once
      // per flush.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } catch (error) {
      // Keep the rows queued; wait before the next attempt so a full disk or a lock is not hammered.
      this.#failures += 1;
      this.#stats.failedFlushes += 1;
      this.#stats.lastError = error instanceof Error ? error.message : String(error);
      this.#onError?.(error, this.#failures);
      const delay = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** (this.#failures - 1));
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  async #commit(
    rows: readonly ObservationRecord[],
    fixes: readonly GpsFixRecord[],
  ): Promise<Omit<FlushResult, "durationMs">> {
    const rollups = rollUpNetworks(rows);
    const inserts = insertObservations(this.runId, rows);
    const statements = [...inserts, ...upsertNetworks(rollups), ...insertGpsFixes(this.runId, fixes)];
    for (const hook of this.#commitHooks) statements.push(...hook.statements(rows, fixes));
    const results = await this.#store.batch(statements);
    // The inserts ran first and in row order on one connection, so the last one's rowid ends the range.
    const lastSeq = inserts.length > 0 ? Number(results[inserts.length - 1]?.lastInsertRowid) : null;
    return {
      observations: rows.length,
      fixes: fixes.length,
      networks: rollups.length,
      firstSeq: lastSeq === null ? null : lastSeq - rows.length + 1,
      lastSeq,
    };
  }

  #waitForSpace(): Promise<void> {
    return new Promise((resolve) => this.#spaceWaiters.push(resolve));
  }

  #releaseSpace(): void {
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** Flushes the writer before the process exits on SIGINT/SIGTERM. Returns a function that uninstalls it. */
export function flushOnSignals(
  writer: BatchedWriter,
  onDone: (signal: NodeJS.Signals) => void = () => process.exit(0),
  signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): () => void {
  const handler = (signal: NodeJS.Signals) => {
    for (const s of signals) process.off(s, handler);
    void writer.close().finally(() => onDone(signal));
  };
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
