import type { InArgs, InStatement, InValue, ResultSet, Row } from "@libsql/client";
import Database from "libsql";

/** What a statement gives back: the part of @libsql/client's ResultSet the agent reads. */
export type QueryResult = Pick<ResultSet, "columns" | "rows" | "rowsAffected" | "lastInsertRowid">;

type Statement = ReturnType<Database.Database["prepare"]>;

/** Prepared statements kept per connection. The agent's SQL is a fixed set of texts, far below this. */
const STATEMENT_CACHE_SIZE = 128;

/**
 * One synchronous libSQL connection (the `libsql` package, which @libsql/client itself drives for local
 * files) with a cache of prepared statements.
 *
 * Why not @libsql/client: it prepares every statement anew, and a prepared statement keeps its bound
 * values until V8 garbage-collects its wrapper, which only a full mark-compact does. The writer then bound
 * each batch as one JSON text (~250 KB per 1,000 rows), and those copies piled up outside the V8 heap: 2,000
 * executions of a 110 KB argument grew RSS from 60 to 231 MB, while one cached statement, rebound each
 * time, stayed at 60 MB (docs/decisions/0008-edge-store-prepared-statements.md). A cached statement also
 * skips SQLite's parse and plan on every flush.
 */
export class SqliteConnection {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();

  constructor(path: string, busyTimeoutMs: number) {
    this.#db = new Database(path, { timeout: busyTimeoutMs });
  }

  get inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  /** Runs one statement. Readers return their rows; writers their change count and last rowid. */
  execute(statement: InStatement): QueryResult {
    const { sql, args } = typeof statement === "string" ? { sql: statement, args: undefined } : statement;
    const prepared = this.#prepare(sql);
    const bound = toSqlArgs(args);
    if (prepared.reader) {
      const columns = prepared.columns().map((c) => c.name);
      const rows = (prepared.raw(true).all(bound) as unknown[][]).map((values) => toRow(values, columns));
      return { columns, rows, rowsAffected: 0, lastInsertRowid: undefined };
    }
    const info = prepared.run(bound);
    return {
      columns: [],
      rows: [],
      rowsAffected: info.changes,
      lastInsertRowid: BigInt(info.lastInsertRowid),
    };
  }

  /**
   * EXPLAIN QUERY PLAN of a statement, one `detail` per row.
   *
   * SQLite steps an EXPLAIN through its listing routine, which does not halt the statement when the rows
   * run out: until it is reset, an EXPLAIN of a write (INSERT, UPDATE, DELETE) counts as a writing
   * statement in progress, and every later COMMIT on the connection fails with "cannot commit
   * transaction - SQL statements in progress". The `libsql` package resets a statement only in `get()`, so
   * the plan is read with `all()` and the statement then reset with a `get()` (which lists one row again
   * and stops). Found when each slow flush, recorded with its plan, made the writer's next flush fail.
   */
  queryPlan(statement: InStatement): string[] {
    const { sql, args } = typeof statement === "string" ? { sql: statement, args: undefined } : statement;
    const prepared = this.#prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const bound = toSqlArgs(args);
    const columns = prepared.columns().map((c) => c.name);
    const detail = columns.indexOf("detail");
    const rows = prepared.raw(true).all(bound) as unknown[][];
    prepared.raw(true).get(bound);
    return rows.map((row) => String(row[detail]));
  }

  /** Runs the statements as one `BEGIN IMMEDIATE` transaction; any failure rolls all of them back. */
  batch(statements: readonly InStatement[]): QueryResult[] {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const results = statements.map((s) => this.execute(s));
      this.#db.exec("COMMIT");
      return results;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Runs a script of several statements (no arguments), each to completion. */
  executeScript(sql: string): void {
    this.#db.exec(sql);
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }

  #prepare(sql: string): Statement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      // Most recently used last, so the oldest is the first key.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const prepared = this.#db.prepare(sql);
    this.#statements.set(sql, prepared);
    if (this.#statements.size > STATEMENT_CACHE_SIZE) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    return prepared;
  }
}

/**
 * Arguments as SQLite takes them, converted the way @libsql/client converts them. A flush binds ~1,800
 * values per statement, nearly all strings, numbers and nulls: such an array is checked and passed as it
 * is, and copied only when a value needs converting.
 */
function toSqlArgs(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.every(isPlainSqlValue) ? args : args.map(toSqlValue);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) named[name.replace(/^[@$:]/, "")] = toSqlValue(value);
  return named;
}

/** A value SQLite binds as it is: a string, a finite number, a bigint or null. */
function isPlainSqlValue(value: InValue): boolean {
  switch (typeof value) {
    case "string":
    case "bigint":
      return true;
    case "number":
      return Number.isFinite(value);
    default:
      return value === null;
  }
}

function toSqlValue(value: InValue): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError("only finite numbers can be passed to the database");
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value === undefined) throw new TypeError("undefined cannot be passed to the database");
  return value;
}

/** A row as @libsql/client shapes it: values by index (and `length`), and by column name (enumerable). */
function toRow(values: unknown[], columns: readonly string[]): Row {
  const row: Record<string | number, unknown> = {};
  Object.defineProperty(row, "length", { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    Object.defineProperty(row, i, { value });
    const column = columns[i];
    if (column !== undefined && !Object.hasOwn(row, column)) {
      Object.defineProperty(row, column, { value, enumerable: true, configurable: true, writable: true });
    }
  }
  return row as Row;
}
