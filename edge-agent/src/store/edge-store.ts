import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Client, InStatement, ResultSet } from "@libsql/client";
// The local-file client only: the edge never opens a remote database, and the full entry point also
// loads the HTTP and WebSocket clients (about 5 MB of RSS on a Pi for nothing).
import { createClient } from "@libsql/client/sqlite3";
import { migrateEdge } from "@piwardrive/migrations";
import { expectedPragmas, PRAGMA_NAMES, pragmaStatements, type Tuning } from "./tuning.js";

export interface EdgeStoreOptions {
  path: string;
  tuning: Tuning;
  /** Statements slower than this are written to slow_queries with their plan (0 disables). */
  slowQueryMs?: number;
}

export type PragmaReadings = Record<(typeof PRAGMA_NAMES)[number], string | number | null>;

/**
 * The edge database: one tuned libSQL connection.
 *
 * The client is created with `concurrency: 1`, so it holds exactly one connection and the per-connection
 * pragmas set on open stay in force (a larger pool opens fresh, untuned connections whenever a
 * transaction borrows one). Writes go through `batch()`, which is one transaction on that connection;
 * `ensurePragmas()` reads them back and re-applies them if SQLite ever reports otherwise.
 * See docs/decisions/0002-single-tuned-connection.md.
 */
export class EdgeStore {
  #client: Client;
  readonly path: string;
  readonly tuning: Tuning;
  slowQueryMs: number;
  #recordingSlow = false;
  #cacheSizeOverrideKib: number | null = null;

  private constructor(client: Client, path: string, tuning: Tuning, slowQueryMs: number) {
    this.#client = client;
    this.path = path;
    this.tuning = tuning;
    this.slowQueryMs = slowQueryMs;
  }

  /** Opens (creating if needed), tunes and migrates the database at `path`. */
  static async open(options: EdgeStoreOptions): Promise<EdgeStore> {
    const path = resolve(options.path);
    mkdirSync(dirname(path), { recursive: true });
    const client = connect(path, options.tuning);
    const store = new EdgeStore(client, path, options.tuning, options.slowQueryMs ?? 200);
    try {
      // auto_vacuum can only be chosen before the first table exists: incremental lets maintenance hand
      // free pages back to the SD card a few at a time instead of rewriting the whole file with VACUUM.
      const pages = await client.execute("PRAGMA page_count");
      if (Number(pages.rows[0]?.[0] ?? 0) === 0) await client.execute("PRAGMA auto_vacuum=INCREMENTAL");
      await client.execute("PRAGMA journal_mode=WAL");
      await store.applyPragmas();
      await migrateEdge(client);
      await store.ensurePragmas();
    } catch (error) {
      client.close();
      throw error;
    }
    return store;
  }

  /** The tuning in force: the configured one, with the resource guards' temporary cache limit if set. */
  get effectiveTuning(): Tuning {
    const kib = this.#cacheSizeOverrideKib;
    return kib === null ? this.tuning : { ...this.tuning, cacheSizeKib: kib };
  }

  /**
   * Lowers the page cache under memory pressure (null restores the tuning's size). Verification expects
   * the override while it is set, so `ensurePragmas()` does not undo what the guards decided.
   */
  async setCacheSizeOverride(kib: number | null): Promise<void> {
    this.#cacheSizeOverrideKib = kib;
    await this.client.execute(`PRAGMA cache_size=${-this.effectiveTuning.cacheSizeKib}`);
  }

  /** The tuned connection. Replaced by `reconnect()`, so hold the store rather than the client. */
  get client(): Client {
    return this.#client;
  }

  /**
   * Replaces the connection with a fresh, tuned one. A write that failed mid-batch (SQLITE_BUSY on
   * BEGIN IMMEDIATE) can leave @libsql/client's connection with a statement that was never reset, after
   * which every COMMIT fails with "SQL statements in progress"; a new connection is the reliable cure.
   */
  async reconnect(): Promise<void> {
    this.#client.close();
    this.#client = connect(this.path, this.tuning);
    await this.applyPragmas();
  }

  async applyPragmas(): Promise<void> {
    for (const statement of pragmaStatements(this.effectiveTuning)) await this.client.execute(statement);
  }

  /** Reads every tuning pragma back as SQLite reports it. */
  async readPragmas(): Promise<PragmaReadings> {
    const out = {} as PragmaReadings;
    for (const name of PRAGMA_NAMES) {
      const rs = await this.client.execute(`PRAGMA ${name}`);
      const row = rs.rows[0];
      out[name] = row === undefined ? null : (row[0] as string | number | null);
    }
    return out;
  }

  /** The pragmas whose read-back value differs from the tuning, as `name: [expected, actual]`. */
  async pragmaDrift(): Promise<Record<string, [string | number, string | number | null]>> {
    const actual = await this.readPragmas();
    const drift: Record<string, [string | number, string | number | null]> = {};
    for (const [name, expected] of Object.entries(expectedPragmas(this.effectiveTuning))) {
      const value = actual[name as keyof PragmaReadings];
      if (String(value).toLowerCase() !== String(expected).toLowerCase()) drift[name] = [expected, value];
    }
    return drift;
  }

  /** Verifies the pragmas and re-applies them when SQLite reports a drift; says whether it had to. */
  async ensurePragmas(): Promise<{ reapplied: boolean }> {
    const drift = await this.pragmaDrift();
    if (Object.keys(drift).length === 0) return { reapplied: false };
    await this.applyPragmas();
    return { reapplied: true };
  }

  /** Runs one statement, recording it in slow_queries (with its plan) when it is slow. */
  async execute(statement: InStatement): Promise<ResultSet> {
    const started = performance.now();
    const result = await this.client.execute(statement);
    const elapsed = performance.now() - started;
    if (this.slowQueryMs > 0 && elapsed >= this.slowQueryMs) await this.recordSlow(statement, elapsed);
    return result;
  }

  /** Runs statements as one write transaction on the tuned connection; slow batches are recorded too. */
  async batch(statements: InStatement[]): Promise<ResultSet[]> {
    const started = performance.now();
    let result: ResultSet[];
    try {
      result = await this.client.batch(statements, "write");
    } catch (error) {
      await this.reconnect();
      throw error;
    }
    const elapsed = performance.now() - started;
    if (this.slowQueryMs > 0 && elapsed >= this.slowQueryMs && statements[0] !== undefined) {
      await this.recordSlow(statements[0], elapsed, `batch of ${statements.length}`);
    }
    return result;
  }

  async recordSlow(statement: InStatement, durationMs: number, note?: string): Promise<void> {
    if (this.#recordingSlow) return;
    this.#recordingSlow = true;
    try {
      const sql = typeof statement === "string" ? statement : statement.sql;
      const plan = await this.explain(statement).catch((e: unknown) => `plan unavailable: ${String(e)}`);
      await this.client.execute({
        sql: "INSERT INTO slow_queries (recorded_at, sql, duration_ms, plan) VALUES (?, ?, ?, ?)",
        args: [Date.now(), note ? `${sql} -- ${note}` : sql, durationMs, plan],
      });
    } finally {
      this.#recordingSlow = false;
    }
  }

  /** EXPLAIN QUERY PLAN of a statement, one `detail` per line. */
  async explain(statement: InStatement): Promise<string> {
    const sql = typeof statement === "string" ? statement : statement.sql;
    const args = typeof statement === "string" ? [] : statement.args;
    const rs = await this.client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: args ?? [] });
    return rs.rows.map((r) => String(r.detail)).join("\n");
  }

  close(): void {
    this.#client.close();
  }
}

function connect(path: string, tuning: Tuning): Client {
  return createClient({
    url: `file:${path}`,
    concurrency: 1,
    timeout: tuning.busyTimeoutMs,
    intMode: "number",
  });
}
