import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { jsonLogger } from "../json-logger.js";
import type { LogFields } from "../logger.js";
import { createApiMetrics } from "../metrics/api-metrics.js";
import { createApiKey } from "../services/api-keys.js";
import { parsePrometheus } from "../test-support/prometheus.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import {
  measureStatements,
  type SlowStatementsReport,
  StatementStats,
  statementKey,
} from "./statement-stats.js";

/** Counts to `n` in a recursive CTE: slow for real (tens of ms and up), on any machine, no sleep. */
const SLOW_SQL = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
  SELECT count(*) AS n FROM c`;
const SLOW_ARG = 314_159;

describe("statementKey", () => {
  it("collapses whitespace, literals and placeholder runs, so parameters never appear", () => {
    expect(statementKey("SELECT *\n  FROM t WHERE a = 'bob''s' AND b > 42 LIMIT ?")).toBe(
      "SELECT * FROM t WHERE a = ? AND b > ? LIMIT ?",
    );
    expect(statementKey("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?)")).toBe(
      "INSERT INTO t (a, b) VALUES (?, …), …",
    );
    expect(statementKey("SELECT * FROM t1 WHERE id IN (?, ?, ?, ?)")).toBe(
      "SELECT * FROM t1 WHERE id IN (?, …)",
    );
    // one key for any number of rows or ids
    expect(statementKey("SELECT * FROM t1 WHERE id IN (?)")).not.toBe(statementKey("SELECT 1"));
    expect(statementKey("INSERT INTO t (a) VALUES (?), (?)")).toBe(
      statementKey("INSERT INTO t (a) VALUES (?), (?), (?)"),
    );
  });
});

describe("measureStatements on a real database", () => {
  let cloud: TestCloud;
  const lines: string[] = [];
  const logged = () => lines.map((l) => JSON.parse(l) as LogFields);
  beforeEach(async () => {
    cloud = await openTestCloud();
    lines.length = 0;
  });
  afterEach(() => cloud.cleanup());

  it("logs a statement over the threshold with duration, rows and plan, never its parameters", async () => {
    let slow = 0;
    const stats = new StatementStats({
      thresholdMs: 5,
      logger: jsonLogger({ write: (l) => lines.push(l) }),
      onSlow: () => {
        slow += 1;
      },
    });
    const db = measureStatements(cloud.db, stats);
    for (let i = 0; i < 20; i += 1) await db.execute({ sql: "SELECT ? AS v", args: [i] });
    const rs = await db.execute({ sql: SLOW_SQL, args: [SLOW_ARG] });
    expect(rs.rows[0]?.n).toBe(SLOW_ARG);
    await db.batch([{ sql: "SELECT ? AS v", args: [1] }, "SELECT 2"], "read");

    const report = stats.report();
    // the CTE is slow for sure; on a busy shared machine a trivial statement may pass 5 ms too
    expect(report).toMatchObject({ thresholdMs: 5, calls: 22, statements: 3 });
    expect(report.slowCalls).toBeGreaterThanOrEqual(1);
    expect(slow).toBe(report.slowCalls);
    const heavy = report.slowest[0];
    expect(heavy).toMatchObject({ kind: "execute", count: 1, rows: 1, slowCount: 1 });
    expect(heavy?.statement).toMatch(/^WITH RECURSIVE c\(x\) AS \(SELECT \? UNION ALL/);
    expect(heavy?.maxMs).toBeGreaterThanOrEqual(5);
    const select = report.top.find((s) => s.statement === "SELECT ? AS v");
    expect(select).toMatchObject({ count: 20, rows: 20 });
    expect(select?.p95Ms).toBeLessThanOrEqual(select?.maxMs ?? 0);
    expect(report.top.find((s) => s.kind === "batch")?.statement).toBe("batch: SELECT ? AS v; SELECT ?");

    // the plan is read asynchronously, then the line is written
    await new Promise((r) => setTimeout(r, 50));
    const line = logged().find((l) => l.message === "slow statement" && l.statement === heavy?.statement);
    expect(line).toMatchObject({ kind: "execute", rows: 1, thresholdMs: 5, statement: heavy?.statement });
    expect(Number(line?.durationMs)).toBeGreaterThanOrEqual(5);
    expect(String((line?.plan as string[] | undefined)?.join(" "))).toMatch(/SCAN|RECURSIVE/);
    expect(lines.join("")).not.toContain(String(SLOW_ARG));
    expect(stats.report().slowest[0]?.plan).toEqual(line?.plan);

    // slow again at once: counted, but not logged again within 10 s
    await db.execute({ sql: SLOW_SQL, args: [SLOW_ARG] });
    const heavyAgain = stats.report().top.find((s) => s.statement === heavy?.statement);
    expect(heavyAgain).toMatchObject({ count: 2, slowCount: 2 });
    await new Promise((r) => setTimeout(r, 50));
    expect(logged().filter((l) => l.statement === heavy?.statement)).toHaveLength(1);
  });

  it("GET /v1/ops/slow-queries serves the report to operators and the counter moves", async () => {
    const metrics = createApiMetrics();
    const stats = new StatementStats({ thresholdMs: 5, onSlow: () => metrics.slowStatements.inc() });
    const db = measureStatements(cloud.db, stats);
    const app = createApp({ ...cloud.deps, db, metrics, statements: stats });
    const operator = await createApiKey(cloud.db, { role: "operator" });
    const analyst = await createApiKey(cloud.db, { role: "analyst" });
    await db.execute({ sql: SLOW_SQL, args: [SLOW_ARG] });

    const denied = await app.request("/v1/ops/slow-queries", {
      headers: { authorization: `Bearer ${analyst.key}` },
    });
    expect(denied.status).toBe(403);
    const res = await app.request("/v1/ops/slow-queries?limit=5", {
      headers: { authorization: `Bearer ${operator.key}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SlowStatementsReport;
    expect(body.slowCalls).toBeGreaterThanOrEqual(1);
    expect(body.slowest[0]?.statement).toMatch(/^WITH RECURSIVE/);
    // the auth lookups of both requests went through the measured client too
    expect(body.top.some((s) => /FROM api_keys/.test(s.statement))).toBe(true);
    expect(body.top.length).toBeLessThanOrEqual(5);
    const bad = await app.request("/v1/ops/slow-queries?limit=0", {
      headers: { authorization: `Bearer ${operator.key}` },
    });
    expect(bad.status).toBe(400);

    const scrape = parsePrometheus(await metrics.registry.metrics());
    expect(scrape.types.get("piwardrive_db_slow_statements_total")).toBe("counter");
    expect(scrape.value("piwardrive_db_slow_statements_total")).toBe(stats.report().slowCalls);
  });
});
