import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { InStatement } from "@libsql/client";
import { migrateEdgeConnection } from "@piwardrive/migrations/edge-connection";
import { type QueryResult, SqliteConnection } from "./sqlite-connection.js";
import { expectedPragmas, PRAGMA_NAMES, pragmaStatements, type Tuning } from "./tuning.js";

export type { QueryResult } from "./sqlite-connection.js";

export interface EdgeStoreOptions {
  path: string;
  tuning: Tuning;
  /** Statements slower than this are written to slow_queries with their plan (0 disables). */
  slowQueryMs?: number;
}

export type PragmaReadings = Record<(typeof PRAGMA_NAMES)[number], string | number | null>;

/**
 * The edge database: one tuned libSQL connection with cached prepared statements.
 *
 * Exactly one connection, so the per-connection pragmas set on open stay in force (a pool opens fresh,
 * untuned connections; docs/decisions/0002-single-tuned-connection.md). Writes go through `batch()`, one
 * transaction on that connection; `ensurePragmas()` reads the pragmas back and re-applies them if SQLite
 * ever reports otherwise. The connection is libSQL's synchronous one with a statement cache, not
 * @libsql/client, whose uncached statements held every bound batch until a full GC
 * (docs/decisions/0008-edge-store-prepared-statements.md). The methods stay async, so the store can move
 * behind another driver without its callers changing.
 */
export class EdgeStore {
  #connection: SqliteConnection;
  readonly path: string;
  readonly tuning: Tuning;
  slowQueryMs: number;
  #recordingSlow = false;
  #cacheSizeOverrideKib: number | null = null;

  private constructor(connection: SqliteConnection, path: string, tuning: Tuning, slowQueryMs: number) {
    this.#connection = connection;
    this.path = path;
    this.tuning = tuning;
    this.slowQueryMs = slowQueryMs;
  }

  /** Opens (creating if needed), tunes and migrates the database at `path`. */
  static async open(options: EdgeStoreOptions): Promise<EdgeStore> {
    const path = resolve(options.path);
    mkdirSync(dirname(path), { recursive: true });
    const connection = new SqliteConnection(path, options.tuning.busyTimeoutMs);
    const store = new EdgeStore(connection, path, options.tuning, options.slowQueryMs ?? 200);
    try {
      // auto_vacuum can only be chosen before the first table exists: incremental lets maintenance hand
      // free pages back to the SD card a few at a time instead of rewriting the whole file with VACUUM.
      const pages = connection.execute("PRAGMA page_count");
      if (Number(pages.rows[0]?.[0] ?? 0) === 0) connection.execute("PRAGMA auto_vacuum=INCREMENTAL");
      connection.execute("PRAGMA journal_mode=WAL");
      await store.applyPragmas();
      migrateEdgeConnection(connection);
      await store.ensurePragmas();
    } catch (error) {
      connection.close();
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
    this.#connection.execute(`PRAGMA cache_size=${-this.effectiveTuning.cacheSizeKib}`);
  }

  /**
   * Replaces the connection with a fresh, tuned one. A write that failed mid-batch (SQLITE_BUSY on
   * BEGIN IMMEDIATE, say) can leave a statement that was never reset, after which every COMMIT fails with
   * "SQL statements in progress"; a new connection (and statement cache) is the reliable cure.
   */
  async reconnect(): Promise<void> {
    this.#connection.close();
    this.#connection = new SqliteConnection(this.path, this.tuning.busyTimeoutMs);
    await this.applyPragmas();
  }

  async applyPragmas(): Promise<void> {
    for (const statement of pragmaStatements(this.effectiveTuning)) this.#connection.execute(statement);
  }

  /** Reads every tuning pragma back as SQLite reports it. */
  async readPragmas(): Promise<PragmaReadings> {
    const out = {} as PragmaReadings;
    for (const name of PRAGMA_NAMES) {
      const rs = this.#connection.execute(`PRAGMA ${name}`);
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
  async execute(statement: InStatement): Promise<QueryResult> {
    const started = performance.now();
    const result = this.#connection.execute(statement);
    const elapsed = performance.now() - started;
    if (this.slowQueryMs > 0 && elapsed >= this.slowQueryMs) await this.recordSlow(statement, elapsed);
    return result;
  }

  /** Runs statements as one write transaction on the tuned connection; slow batches are recorded too. */
  async batch(statements: InStatement[]): Promise<QueryResult[]> {
    const started = performance.now();
    let result: QueryResult[];
    try {
      result = this.#connection.batch(statements);
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
      this.#connection.execute({
        sql: "INSERT INTO slow_queries (recorded_at, sql, duration_ms, plan) VALUES (?, ?, ?, ?)",
        args: [Date.now(), note ? `${sql} -- ${note}` : sql, durationMs, plan],
      });
    } finally {
      this.#recordingSlow = false;
    }
  }

  /** EXPLAIN QUERY PLAN of a statement, one `detail` per line. */
  async explain(statement: InStatement): Promise<string> {
    return this.#connection.queryPlan(statement).join("\n");
  }

  /**
   * Runs a script of several statements, each to completion, on the store's connection: nothing else
   * runs between them. A script that fails part-way is rolled back and the store reconnects.
   */
  async executeScript(sql: string): Promise<void> {
    try {
      this.#connection.executeScript(sql);
    } catch (error) {
      if (this.#connection.inTransaction) this.#connection.executeScript("ROLLBACK");
      await this.reconnect();
      throw error;
    }
  }

  close(): void {
    this.#connection.close();
  }
}
