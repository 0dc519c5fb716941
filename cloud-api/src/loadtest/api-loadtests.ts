import { randomUUID } from "node:crypto";
import type { Client } from "@libsql/client";
import { z } from "zod";
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import { baselineSamples, currentProvenance } from "./baseline-store.js";
import { parseThreshold } from "./thresholds.js";

/** Bounds of a load test started through the API: it loads this API, so it must not take it down. */
export const API_LOADTEST_LIMITS = {
  maxRate: 200,
  maxDurationS: 60,
  maxWarmupS: 10,
  connections: 8,
} as const;
/** A queued/running row older than this is a run whose worker died; it no longer blocks new ones. */
const STALE_AFTER_MS = (API_LOADTEST_LIMITS.maxDurationS + API_LOADTEST_LIMITS.maxWarmupS + 300) * 1000;

/** The body of POST /v1/loadtests. */
export const loadTestRequestSchema = z.strictObject({
  /** Must be this API's own origin (default); a path prefix is allowed. */
  target: z.url({ protocol: /^https?$/ }).optional(),
  scenario: z.union([
    z.literal("analyst"),
    z.strictObject({ requests: z.array(z.unknown()).min(1).max(50) }),
  ]),
  rate: z.number().positive().max(API_LOADTEST_LIMITS.maxRate),
  durationS: z.number().positive().max(API_LOADTEST_LIMITS.maxDurationS),
  warmupS: z.number().min(0).max(API_LOADTEST_LIMITS.maxWarmupS).default(0),
  thresholds: z.array(z.string().max(100)).max(20).default([]),
  /** The run joins this baseline once done. */
  name: z.string().min(1).max(100).optional(),
  /** Test the run against this saved baseline (as `loadtest http --compare`); a "slower" verdict is a regression. */
  compare: z.string().min(1).max(100).optional(),
});

export type ApiLoadTestRequest = z.output<typeof loadTestRequestSchema> & { target: string };

/** Validates a request; the target must be `selfOrigin` (no request forgery through the API). */
export function parseLoadTestRequest(body: unknown, selfOrigin: string): ApiLoadTestRequest {
  const parsed = loadTestRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`);
    throw new InvalidArgumentError(problems.join("; "));
  }
  const target = parsed.data.target ?? selfOrigin;
  if (new URL(target).origin !== new URL(selfOrigin).origin) {
    throw new InvalidArgumentError(`target must be this API (${selfOrigin}); other hosts are refused`);
  }
  for (const t of parsed.data.thresholds) {
    try {
      parseThreshold(t);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  }
  return { ...parsed.data, target };
}

/**
 * Queues a run unless another is queued or running (one at a time). The check and the insert are one
 * statement on the one connection, so two concurrent requests cannot both get in.
 */
export async function createApiLoadTest(
  db: Client,
  request: ApiLoadTestRequest,
  now = Date.now(),
): Promise<{ kind: "queued"; id: string } | { kind: "busy"; activeId: string }> {
  const id = `lt-${randomUUID()}`;
  if (request.compare !== undefined) await baselineSamples(db, request.compare); // 404 now, not after the run
  const p = currentProvenance();
  const rs = await db.execute({
    sql: `INSERT INTO load_test_runs (id, name, status, origin, created_at, git_commit, node_version, machine, params)
      SELECT ?, ?, 'queued', 'api', ?, ?, ?, ?, ?
      WHERE NOT EXISTS (SELECT 1 FROM load_test_runs WHERE status IN ('queued', 'running') AND created_at > ?)`,
    args: [
      id,
      request.name ?? null,
      now,
      p.gitCommit,
      p.nodeVersion,
      p.machine,
      JSON.stringify(request),
      now - STALE_AFTER_MS,
    ],
  });
  if (rs.rowsAffected === 1) return { kind: "queued", id };
  const active = await db.execute({
    sql: "SELECT id FROM load_test_runs WHERE status IN ('queued', 'running') AND created_at > ? ORDER BY created_at LIMIT 1",
    args: [now - STALE_AFTER_MS],
  });
  return { kind: "busy", activeId: String(active.rows[0]?.id ?? "") };
}

export interface LoadTestRun {
  id: string;
  name: string | null;
  status: string;
  origin: string;
  createdAt: string;
  finishedAt: string | null;
  gitCommit: string | null;
  nodeVersion: string;
  machine: string;
  params: unknown;
  result: unknown;
  error: string | null;
}

const COLUMNS =
  "id, name, status, origin, created_at, finished_at, git_commit, node_version, machine, params, result, error";

function toRun(r: Record<string, unknown>): LoadTestRun {
  const iso = (v: unknown) => (v === null ? null : new Date(Number(v)).toISOString());
  return {
    id: String(r.id),
    name: r.name === null ? null : String(r.name),
    status: String(r.status),
    origin: String(r.origin),
    createdAt: iso(r.created_at) ?? "",
    finishedAt: iso(r.finished_at),
    gitCommit: r.git_commit === null ? null : String(r.git_commit),
    nodeVersion: String(r.node_version),
    machine: String(r.machine),
    params: JSON.parse(String(r.params)),
    result: r.result === null ? null : JSON.parse(String(r.result)),
    error: r.error === null ? null : String(r.error),
  };
}

/** The newest runs first (CLI-saved and API-started), at most `limit`. */
export async function listLoadTests(db: Client, limit = 50): Promise<LoadTestRun[]> {
  const rs = await db.execute({
    sql: `SELECT ${COLUMNS} FROM load_test_runs ORDER BY created_at DESC, id LIMIT ?`,
    args: [limit],
  });
  return rs.rows.map((r) => toRun(r as Record<string, unknown>));
}

export async function getLoadTest(db: Client, id: string): Promise<LoadTestRun> {
  const rs = await db.execute({ sql: `SELECT ${COLUMNS} FROM load_test_runs WHERE id = ?`, args: [id] });
  const row = rs.rows[0];
  if (row === undefined) throw new NotFoundError(`no load test ${id}`);
  return toRun(row as Record<string, unknown>);
}
