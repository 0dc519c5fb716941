import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { openCloudDb, readPragmas, toDbUrl } from "../db/cloud-db.js";
import { createDevice, revokeDevice } from "../services/devices.js";
import type { ThreadClock, ThreadJob, ThreadMessage, ThreadResult } from "./db-load-thread.js";
import { dbLoadParams } from "./db-operations.js";
import { LatencyHistogram } from "./latency-histogram.js";
import type { RouteStats } from "./run-stats.js";

export interface DbLoadOptions {
  /** The cloud database file to test. */
  db: string;
  readers: number;
  writers: number;
  durationS: number;
  warmupS?: number;
  /** Sightings per written batch (the edge sends up to 5,000; partial batches are common). */
  batchSize?: number;
  busyTimeoutMs?: number;
  /** Run on the database itself instead of a VACUUM INTO copy (writers then add rows to it). */
  inPlace?: boolean;
}

export interface DbOperationStats extends RouteStats {
  opsPerS: number;
}

/** The one object `loadtest db --json` prints. */
export interface DbLoadResult {
  kind: "db";
  /** Each thread runs its next operation when the last one ends: a closed model, per connection. */
  model: "closed";
  db: string;
  copied: boolean;
  readers: number;
  writers: number;
  durationS: number;
  batchSize: number;
  /** As read back on a connection opened the way every thread opens its own. */
  pragmas: Record<string, unknown>;
  operations: Record<string, DbOperationStats>;
  totals: { operations: number; errors: number; opsPerS: number };
  observationsWritten: number;
  errorSamples: string[];
}

/**
 * The guide's database load test on a real libSQL file: readers run the cloud's hot analyst queries and
 * writers land and merge merge-sized batches, each on its own thread and connection, for `durationS`
 * after `warmupS`. By default it works on a VACUUM INTO copy, so the database itself is left untouched.
 */
export async function runDbLoad(options: DbLoadOptions): Promise<DbLoadResult> {
  if (!toDbUrl(options.db).isFile) throw new Error("loadtest db needs a local libSQL file, not a URL");
  if (!existsSync(options.db)) throw new Error(`no database at ${options.db}`);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const batchSize = options.batchSize ?? 1000;
  const warmupS = options.warmupS ?? 1;
  const workDir = options.inPlace ? undefined : mkdtempSync(join(tmpdir(), "pw-loadtest-db-"));
  const target = workDir === undefined ? options.db : join(workDir, "cloud.db");
  try {
    const db = await openCloudDb({ db: options.db, busyTimeoutMs });
    try {
      if (workDir !== undefined) {
        await db.execute({ sql: "VACUUM INTO ?", args: [target] });
      }
    } finally {
      db.close();
    }
    const setup = await openCloudDb({ db: target, busyTimeoutMs });
    let params: Awaited<ReturnType<typeof dbLoadParams>>;
    let pragmas: Record<string, unknown>;
    const deviceIds: string[] = [];
    try {
      params = await dbLoadParams(setup);
      pragmas = await readPragmas(setup);
      for (let i = 0; i < options.writers; i += 1) {
        deviceIds.push((await createDevice(setup, { name: `loadtest-db-writer-${i}` })).id);
      }
    } finally {
      setup.close();
    }
    const jobs: ThreadJob[] = [
      ...Array.from(
        { length: options.readers },
        (_, index): ThreadJob => ({
          role: "reader",
          index,
          db: target,
          busyTimeoutMs,
          params,
        }),
      ),
      ...Array.from(
        { length: options.writers },
        (_, index): ThreadJob => ({
          role: "writer",
          index,
          db: target,
          busyTimeoutMs,
          params,
          deviceId: deviceIds[index]!,
          batchSize,
        }),
      ),
    ];
    const threads = jobs.map(startThread);
    await Promise.all(threads.map((t) => t.ready));
    const measureFrom = Date.now() + warmupS * 1000;
    const clock: ThreadClock = { measureFrom, deadline: measureFrom + options.durationS * 1000 };
    for (const t of threads) t.worker.postMessage(clock);
    const results = await Promise.all(threads.map((t) => t.result));
    if (options.inPlace) await removeWriterDevices(target, deviceIds, busyTimeoutMs);
    return summarise(results, {
      db: target,
      copied: workDir !== undefined,
      readers: options.readers,
      writers: options.writers,
      durationS: options.durationS,
      batchSize,
      pragmas,
    });
  } finally {
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  }
}

/** A thread that says when it is ready (db open) and then, once told the clock, sends its result. */
function startThread(job: ThreadJob) {
  const worker = new Worker(new URL("./db-load-thread.js", import.meta.url), { workerData: job });
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const result = new Promise<ThreadResult>((resolve, reject) => {
    let outcome: ThreadResult | undefined;
    worker.on("message", (message: ThreadMessage) => {
      if (message.kind === "ready") ready();
      else outcome = message.result;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (outcome !== undefined) resolve(outcome);
      else reject(new Error(`${job.role} ${job.index} stopped (exit code ${code}) without a result`));
    });
  });
  // A thread that dies before it is ready fails the run instead of leaving the others waiting.
  return { worker, ready: Promise.race([readyPromise, result.then(() => undefined)]), result };
}

/** In place, the writers' devices are revoked after the run (their sightings stay: they were merged). */
async function removeWriterDevices(db: string, ids: string[], busyTimeoutMs: number): Promise<void> {
  const client = await openCloudDb({ db, busyTimeoutMs });
  try {
    for (const id of ids) await revokeDevice(client, id);
  } finally {
    client.close();
  }
}

function summarise(
  results: ThreadResult[],
  meta: Omit<
    DbLoadResult,
    "kind" | "model" | "operations" | "totals" | "observationsWritten" | "errorSamples"
  >,
): DbLoadResult {
  const names = new Set(results.flatMap((r) => [...Object.keys(r.latencies), ...Object.keys(r.errors)]));
  const operations: Record<string, DbOperationStats> = {};
  let total = 0;
  let errors = 0;
  for (const name of [...names].sort()) {
    const histogram = new LatencyHistogram();
    let opErrors = 0;
    for (const r of results) {
      for (const ms of r.latencies[name] ?? []) histogram.recordMs(ms);
      opErrors += r.errors[name] ?? 0;
    }
    const requests = histogram.count + opErrors;
    operations[name] = {
      requests,
      errors: opErrors,
      opsPerS: round(histogram.count / meta.durationS),
      ...histogram.summary(),
    };
    total += requests;
    errors += opErrors;
  }
  return {
    kind: "db",
    model: "closed",
    ...meta,
    operations,
    totals: { operations: total, errors, opsPerS: round((total - errors) / meta.durationS) },
    observationsWritten: results.reduce((sum, r) => sum + r.observationsWritten, 0),
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 10),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

export function describeDbLoad(r: DbLoadResult): string {
  const lines = [
    `${r.readers} readers, ${r.writers} writers (closed loop, batches of ${r.batchSize}) for ${r.durationS} s on ` +
      `${r.copied ? "a copy of the database" : r.db}: ${r.totals.operations} operations, ` +
      `${r.totals.opsPerS} ops/s, ${r.totals.errors} errors, ${r.observationsWritten} sightings merged`,
    `pragmas: ${Object.entries(r.pragmas)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(" ")}`,
    ...Object.entries(r.operations).map(
      ([name, s]) =>
        `  ${name}: ${s.requests} ops (${s.opsPerS}/s), ${s.errors} errors, ms p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max}`,
    ),
    ...r.errorSamples.map((e) => `  error: ${e}`),
  ];
  return lines.join("\n");
}
