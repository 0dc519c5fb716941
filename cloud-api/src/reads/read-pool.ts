import { cpus } from "node:os";
import { Worker } from "node:worker_threads";
import type { Client, InStatement } from "@libsql/client";
import { isStoreUnavailable } from "../db/db-errors.js";
import type { StatementStats } from "../db/statement-stats.js";
import {
  CursorExpiredError,
  DomainError,
  type DomainErrorCode,
  InvalidArgumentError,
  NotFoundError,
  StoreUnavailableError,
} from "../errors.js";
import { READ_OPERATIONS, type ReadArgs, type ReadName, type ReadResult } from "./read-operations.js";

/*
 * Where the analyst reads run (docs/decisions/0033-reader-threads.md). The API process serves every
 * request on one event loop, and a libSQL call runs synchronously on it: with one connection, 16 analyst
 * requests in flight queued behind each other's SQLite time, and nothing else (ingest, health) ran
 * meanwhile. A ReadPool runs READ_OPERATIONS on worker threads, each with its own connection to the same
 * database file (WAL: readers never block the writer or each other), so reads use the other cores and the
 * event loop keeps only HTTP, auth, the cache and JSON. Each reply carries the timings of the statements
 * it ran, recorded into the API's StatementStats as if they had run here (slow-statement log, doctor).
 * localReads runs the same operations on the API's own connection: remote databases, and tests.
 */

export interface Reads {
  run<K extends ReadName>(name: K, ...args: ReadArgs<K>): Promise<ReadResult<K>>;
  /** The answer as JSON bytes, ready to send (a reader thread encodes it, so the event loop does not). */
  json<K extends ReadName>(name: K, ...args: ReadArgs<K>): Promise<Uint8Array<ArrayBuffer>>;
  close(): Promise<void>;
}

export function localReads(db: Client): Reads {
  const run = <K extends ReadName>(name: K, ...args: ReadArgs<K>) =>
    (READ_OPERATIONS[name] as unknown as (db: Client, ...a: ReadArgs<K>) => Promise<ReadResult<K>>)(
      db,
      ...args,
    );
  return {
    run,
    json: async (name, ...args) => new TextEncoder().encode(JSON.stringify(await run(name, ...args))),
    close: async () => {},
  };
}

/** One statement a reader ran, for the API's StatementStats. */
export interface ReadTiming {
  sql: string;
  kind: "execute" | "batch";
  ms: number;
  rows: number;
  stmt?: InStatement;
}

export type ReadReply =
  | { id: number; ok: true; value: unknown; timings: ReadTiming[] }
  | {
      id: number;
      ok: false;
      error: { code: DomainErrorCode | null; message: string };
      timings: ReadTiming[];
    };

export interface ReadRequest {
  id: number;
  name: ReadName;
  args: unknown[];
  /** Answer the value's JSON as bytes (a transferred buffer) rather than the value. */
  json: boolean;
}

export interface ReaderConfig {
  db: string;
  authToken?: string;
  busyTimeoutMs?: number;
  /** Record statement timings (the API has a StatementStats), with arguments for those this slow. */
  slowMs?: number;
}

/** The error a reader sent, as the class the app's error handler maps (an unknown one becomes a 500). */
export function rebuildError(error: { code: DomainErrorCode | null; message: string }): Error {
  switch (error.code) {
    case "not_found":
      return new NotFoundError(error.message);
    case "invalid_argument":
      return new InvalidArgumentError(error.message);
    case "cursor_expired":
      return new CursorExpiredError(error.message);
    case "store_unavailable":
      return new StoreUnavailableError(error.message);
    default:
      return new Error(error.message);
  }
}

/** What a reader sends back for a thrown error. */
export function errorReply(error: unknown): { code: DomainErrorCode | null; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof DomainError) return { code: error.code, message };
  if (isStoreUnavailable(error)) return { code: "store_unavailable", message };
  return { code: null, message };
}

/** The default number of reader threads: one per core, at least one and at most four. */
export const defaultReaderThreads = () => Math.max(1, Math.min(4, cpus().length));

/**
 * The reader thread's module. A worker thread runs JavaScript only, so when this file runs from its
 * TypeScript source (vitest), the thread takes the built one (`npm test` builds first).
 */
const READ_WORKER = new URL(
  import.meta.url.endsWith(".ts") ? "../../dist/reads/read-worker.js" : "./read-worker.js",
  import.meta.url,
);

/**
 * A reader's heap: its live data is one page at a time (a few hundred kB), so a small young generation
 * is enough, and each thread's idle resident memory is what the API's memory budget pays per core.
 */
const READER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Reader {
  worker: Worker;
  inFlight: number;
}

export class ReadPool implements Reads {
  readonly #readers: Reader[] = [];
  readonly #pending = new Map<number, Pending & { reader: Reader }>();
  readonly #config: ReaderConfig;
  readonly #stats: StatementStats | undefined;
  readonly #planner: Client | undefined;
  #nextId = 1;
  #closed = false;

  /**
   * Starts `threads` readers on `config.db` and waits until each has opened its connection (a bad path
   * fails here, not on the first request). `stats`/`planner`: where timings are recorded and slow plans
   * explained (the API's StatementStats and connection).
   */
  static async start(
    config: Omit<ReaderConfig, "slowMs">,
    threads: number,
    stats?: StatementStats,
    planner?: Client,
  ): Promise<ReadPool> {
    const pool = new ReadPool(
      stats === undefined ? config : { ...config, slowMs: stats.thresholdMs },
      stats,
      planner,
    );
    try {
      await Promise.all(Array.from({ length: threads }, () => pool.#spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private constructor(config: ReaderConfig, stats: StatementStats | undefined, planner: Client | undefined) {
    this.#config = config;
    this.#stats = stats;
    this.#planner = planner;
  }

  get threads(): number {
    return this.#readers.length;
  }

  async #spawn(): Promise<void> {
    const worker = new Worker(READ_WORKER, { workerData: this.#config, resourceLimits: READER_LIMITS });
    const reader: Reader = { worker, inFlight: 0 };
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      const onExit = (code: number) => reject(new StoreUnavailableError(`reader thread exited (${code})`));
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.once("message", (message: { ready?: true; error?: string }) => {
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (message.ready) resolve();
        else {
          void worker.terminate();
          reject(new StoreUnavailableError(`reader thread could not open the database: ${message.error}`));
        }
      });
    });
    worker.on("message", (reply: ReadReply) => this.#settle(reader, reply));
    worker.on("error", (error) => this.#fail(reader, error));
    worker.on("exit", (code) => {
      if (!this.#closed) this.#fail(reader, new Error(`reader thread exited (${code})`));
    });
    this.#readers.push(reader);
  }

  run<K extends ReadName>(name: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> {
    return this.#send(name, args, false) as Promise<ReadResult<K>>;
  }

  json<K extends ReadName>(name: K, ...args: ReadArgs<K>): Promise<Uint8Array<ArrayBuffer>> {
    return this.#send(name, args, true) as Promise<Uint8Array<ArrayBuffer>>;
  }

  #send(name: ReadName, args: unknown[], json: boolean): Promise<unknown> {
    if (this.#closed || this.#readers.length === 0) {
      return Promise.reject(new StoreUnavailableError("the read pool is closed"));
    }
    // The least busy reader (ties: the first), so one slow read does not hold up the next.
    let reader = this.#readers[0] as Reader;
    for (const r of this.#readers) if (r.inFlight < reader.inFlight) reader = r;
    const id = this.#nextId++;
    reader.inFlight += 1;
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, reader });
      reader.worker.postMessage({ id, name, args, json } satisfies ReadRequest);
    });
  }

  #settle(reader: Reader, reply: ReadReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    reader.inFlight -= 1;
    if (this.#stats !== undefined) {
      for (const t of reply.timings) this.#stats.record(t.sql, t.kind, t.ms, t.rows, this.#planner, t.stmt);
    }
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(rebuildError(reply.error));
  }

  /** A reader died: its requests fail (503) and it is replaced. */
  #fail(reader: Reader, error: Error): void {
    const index = this.#readers.indexOf(reader);
    if (index < 0) return;
    this.#readers.splice(index, 1);
    for (const [id, p] of this.#pending) {
      if (p.reader !== reader) continue;
      this.#pending.delete(id);
      p.reject(new StoreUnavailableError(`reader thread failed: ${error.message}`));
    }
    void reader.worker.terminate();
    // One replacement per death; if it cannot open the database either, the pool runs on fewer threads
    // (and answers 503 with none left).
    if (!this.#closed) this.#spawn().catch(() => {});
  }

  /** Stops reader `index` as if it had crashed (tests: its requests fail, a new thread takes its place). */
  async terminateReader(index: number): Promise<void> {
    await this.#readers[index]?.worker.terminate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const readers = this.#readers.splice(0);
    await Promise.all(readers.map((r) => r.worker.terminate()));
    for (const [, p] of this.#pending) p.reject(new StoreUnavailableError("the read pool closed"));
    this.#pending.clear();
  }
}

/**
 * A ReadPool started by the first read, not at boot: each thread holds ~20 MB (its V8 isolate, modules
 * and connection), which a process that serves no analyst reads (an ingest replica, an export) need not
 * pay. A failed start fails that read (503) and the next read tries again.
 */
export function lazyReadPool(
  config: Omit<ReaderConfig, "slowMs">,
  threads: number,
  stats?: StatementStats,
  planner?: Client,
): Reads & { started(): boolean } {
  let pool: Promise<ReadPool> | undefined;
  let closed = false;
  const started = () => {
    if (closed) return Promise.reject(new StoreUnavailableError("the read pool is closed"));
    pool ??= ReadPool.start(config, threads, stats, planner).catch((error: unknown) => {
      pool = undefined;
      throw error;
    });
    return pool;
  };
  return {
    run: async <K extends ReadName>(name: K, ...args: ReadArgs<K>): Promise<ReadResult<K>> =>
      (await started()).run(name, ...args),
    json: async <K extends ReadName>(name: K, ...args: ReadArgs<K>) => (await started()).json(name, ...args),
    started: () => pool !== undefined,
    async close() {
      closed = true;
      const running = pool;
      pool = undefined;
      await (await running?.catch(() => undefined))?.close();
    },
  };
}
