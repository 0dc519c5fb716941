import type { Client, InStatement, ResultSet } from "@libsql/client";
import type { Logger } from "../logger.js";

/*
 * Per-statement statistics of one process's database client, in the spirit of sqld's query stats (top
 * and slowest statements). Statements are keyed by their SQL text with runs of placeholders and literals
 * collapsed, so a statement built for N rows is one entry and parameters never appear. A statement (or a
 * batch: one write transaction) slower than the threshold is logged with its duration, rows and query plan.
 * Cost per call: two performance.now(), one Map lookup on a cached key, one array write.
 */

/** Recent durations kept per statement for the p95 (a ring buffer: the p95 of the last RECENT calls). */
const RECENT = 256;
/** Distinct statements tracked; past that, new ones are counted under OVERFLOW_KEY. */
const MAX_STATEMENTS = 500;
const OVERFLOW_KEY = "(other statements)";
/** A statement that is slow on every call (a big merge) logs at most once per this interval. */
const LOG_EVERY_MS = 10_000;

export interface StatementSummary {
  statement: string;
  /** `execute` (one statement) or `batch` (statements in one transaction, timed together). */
  kind: "execute" | "batch";
  count: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
  /** Over the last 256 calls. */
  p95Ms: number;
  /** Rows returned (or changed, for writes that return none), summed over all calls. */
  rows: number;
  slowCount: number;
  lastSlowAt: number | null;
  /** EXPLAIN QUERY PLAN details, read the first time the statement was slow (batches have none). */
  plan: string[] | null;
}

export interface SlowStatementsReport {
  thresholdMs: number;
  since: number;
  calls: number;
  slowCalls: number;
  statements: number;
  /** By total time: where the database time goes. */
  top: StatementSummary[];
  /** By maximum duration. */
  slowest: StatementSummary[];
}

interface Entry {
  statement: string;
  kind: "execute" | "batch";
  count: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  slowCount: number;
  lastSlowAt: number | null;
  recent: Float64Array;
  plan: string[] | null | undefined;
  lastLoggedAt: number;
  suppressed: number;
}

const keyCache = new Map<string, string>();
const EXPLAINABLE = /^\s*(select|with|insert|update|delete|replace)\b/i;

/** The statement's text without parameters: whitespace, literals and placeholder lists collapsed. */
export function statementKey(sql: string): string {
  const cached = keyCache.get(sql);
  if (cached !== undefined) return cached;
  const key = sql
    .replace(/\s+/g, " ")
    .replace(/'(?:[^']|'')*'/g, "?")
    .replace(/(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g, "?")
    .replace(/\?(?:\s*,\s*\?)+/g, "?, …")
    .replace(/\((?:\?|\?, …)\)(?:\s*,\s*\((?:\?|\?, …)\))+/g, (m) => `${m.slice(0, m.indexOf(")") + 1)}, …`)
    .trim();
  if (keyCache.size >= 2000) keyCache.clear();
  keyCache.set(sql, key);
  return key;
}

export class StatementStats {
  readonly thresholdMs: number;
  readonly since = Date.now();
  #entries = new Map<string, Entry>();
  #calls = 0;
  #slowCalls = 0;
  #logger: Logger | undefined;
  #onSlow: (() => void) | undefined;

  constructor(options: { thresholdMs: number; logger?: Logger; onSlow?: () => void }) {
    this.thresholdMs = options.thresholdMs;
    this.#logger = options.logger;
    this.#onSlow = options.onSlow;
  }

  /**
   * Records one call. The plan is read (EXPLAIN QUERY PLAN of `stmt` on `planner`) only the first time the
   * statement is slow, and only for statements SQLite can explain.
   */
  record(
    sql: string,
    kind: "execute" | "batch",
    durationMs: number,
    rows: number,
    planner?: Client,
    stmt?: InStatement,
  ): void {
    this.#calls += 1;
    const entry = this.#entry(sql, kind);
    entry.recent[entry.count % RECENT] = durationMs;
    entry.count += 1;
    entry.totalMs += durationMs;
    entry.rows += rows;
    if (durationMs > entry.maxMs) entry.maxMs = durationMs;
    if (durationMs < this.thresholdMs) return;
    this.#slowCalls += 1;
    entry.slowCount += 1;
    const now = Date.now();
    entry.lastSlowAt = now;
    this.#onSlow?.();
    // one line per statement per LOG_EVERY_MS at most; the lines in between are counted in `suppressed`
    if (now - entry.lastLoggedAt < LOG_EVERY_MS) {
      entry.suppressed += 1;
      return;
    }
    entry.lastLoggedAt = now;
    const suppressed = entry.suppressed;
    entry.suppressed = 0;
    const log = (plan: string[] | null) =>
      this.#logger?.warn("slow statement", {
        statement: entry.statement.length > 2000 ? `${entry.statement.slice(0, 1999)}…` : entry.statement,
        kind,
        durationMs: round(durationMs),
        rows,
        thresholdMs: this.thresholdMs,
        plan,
        suppressed,
      });
    if (entry.plan !== undefined || planner === undefined || stmt === undefined || !EXPLAINABLE.test(sql)) {
      log(entry.plan ?? null);
      return;
    }
    entry.plan = null; // asked once, even if the EXPLAIN fails
    explainPlan(planner, stmt).then(
      (plan) => {
        entry.plan = plan;
        log(plan);
      },
      () => log(null),
    );
  }

  #entry(sql: string, kind: "execute" | "batch"): Entry {
    let key = kind === "batch" ? `batch: ${sql}` : statementKey(sql);
    if (!this.#entries.has(key) && this.#entries.size >= MAX_STATEMENTS) key = OVERFLOW_KEY;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = {
        statement: key,
        kind,
        count: 0,
        totalMs: 0,
        maxMs: 0,
        rows: 0,
        slowCount: 0,
        lastSlowAt: null,
        recent: new Float64Array(RECENT),
        plan: undefined,
        lastLoggedAt: Number.NEGATIVE_INFINITY,
        suppressed: 0,
      };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  report(limit = 20): SlowStatementsReport {
    const all = [...this.#entries.values()].map(summarise);
    return {
      thresholdMs: this.thresholdMs,
      since: this.since,
      calls: this.#calls,
      slowCalls: this.#slowCalls,
      statements: all.length,
      top: [...all].sort((a, b) => b.totalMs - a.totalMs).slice(0, limit),
      slowest: [...all].sort((a, b) => b.maxMs - a.maxMs).slice(0, limit),
    };
  }
}

function summarise(e: Entry): StatementSummary {
  const recent = Array.from(e.recent.subarray(0, Math.min(e.count, RECENT))).sort((a, b) => a - b);
  const p95 = recent[Math.min(recent.length - 1, Math.ceil(recent.length * 0.95) - 1)] ?? 0;
  return {
    statement: e.statement,
    kind: e.kind,
    count: e.count,
    totalMs: round(e.totalMs),
    meanMs: round(e.count === 0 ? 0 : e.totalMs / e.count),
    maxMs: round(e.maxMs),
    p95Ms: round(p95),
    rows: e.rows,
    slowCount: e.slowCount,
    lastSlowAt: e.lastSlowAt,
    plan: e.plan ?? null,
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

const sqlOf = (s: InStatement) => (typeof s === "string" ? s : s.sql);
const rowsOf = (rs: ResultSet) => (rs.rows.length > 0 ? rs.rows.length : rs.rowsAffected);

/** EXPLAIN QUERY PLAN of a statement, on `client` (not the measured one), as its `detail` lines. */
export async function explainPlan(client: Client, stmt: InStatement): Promise<string[]> {
  const explained: InStatement =
    typeof stmt === "string"
      ? `EXPLAIN QUERY PLAN ${stmt}`
      : { sql: `EXPLAIN QUERY PLAN ${stmt.sql}`, args: stmt.args ?? [] };
  const rs = await client.execute(explained);
  return rs.rows.map((r) => String(r.detail));
}

/** What measureStatements records into: a StatementStats, or a reader thread's list of timings. */
export type StatementRecorder = Pick<StatementStats, "record">;

/** The same client, with every execute() and batch() timed into `stats`. */
export function measureStatements(client: Client, stats: StatementRecorder): Client {
  // No async wrappers, no per-call closures: the hot path adds one .then and two clock reads.
  const execute = (stmt: InStatement, args?: unknown): Promise<ResultSet> => {
    const started = performance.now();
    const full: InStatement = args === undefined ? stmt : { sql: sqlOf(stmt), args: args as never };
    return client.execute(full).then((rs) => {
      stats.record(sqlOf(full), "execute", performance.now() - started, rowsOf(rs), client, full);
      return rs;
    });
  };
  const batch = (stmts: InStatement[], mode?: unknown): Promise<ResultSet[]> => {
    const started = performance.now();
    return client.batch(stmts, mode as never).then((results) => {
      const elapsed = performance.now() - started;
      let rows = 0;
      for (const rs of results) rows += rowsOf(rs);
      stats.record(stmts.map((s) => statementKey(sqlOf(s))).join("; "), "batch", elapsed, rows);
      return results;
    });
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "execute") return execute;
      if (prop === "batch") return batch;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
