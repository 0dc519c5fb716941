import { statSync } from "node:fs";
import type { Client } from "@libsql/client";
import type { Queue } from "bullmq";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { NotFoundError, PoisonBatchError } from "../errors.js";
import type { MergeOutcome } from "../services/merge-batch.js";
import { createRegistry } from "./registry.js";

/** Job states shown per queue; what BullMQ's getJobCounts reports. */
export const QUEUE_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "failed",
  "completed",
  "waiting-children",
] as const;

/** What a worker process records: merges as they happen, the queue and the database at scrape time. */
export interface PipelineMetrics {
  registry: Registry;
  /** outcome merged | already_merged | failed (poison, not retried) | error (retried). */
  mergeDuration: Histogram<"outcome">;
  mergeBatches: Counter<"outcome">;
  /** From landed_batches.received_at to the commit that merged the batch. */
  mergeLag: Histogram;
  sightingsMerged: Counter;
  reconcilerEnqueued: Counter;
  slowStatements: Counter;
}

export interface PipelineSources {
  db: Client;
  /** The database file (undefined for a libSQL server: sizes are then not reported). */
  dbPath: string | undefined;
  /** Read at each scrape: the worker's queues exist only once it started. */
  queues: () => readonly Queue[];
}

export function createPipelineMetrics(
  sources: PipelineSources,
  registry: Registry = createRegistry("worker"),
): PipelineMetrics {
  const registers = [registry];
  new Gauge({
    name: "piwardrive_queue_jobs",
    help: "Jobs per queue and state (BullMQ getJobCounts, read at scrape time)",
    labelNames: ["queue", "state"] as const,
    registers,
    async collect() {
      this.reset();
      for (const queue of sources.queues()) {
        const counts = await queue.getJobCounts(...QUEUE_STATES).catch(() => undefined);
        if (counts === undefined) continue; // Redis down: report nothing rather than zeros
        for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: "piwardrive_landed_batches",
    help: "Landed batches by status (landed = waiting for their merge), read at scrape time",
    labelNames: ["status"] as const,
    registers,
    async collect() {
      const rs = await sources.db
        .execute("SELECT status, count(*) AS n FROM landed_batches GROUP BY status")
        .catch(() => undefined);
      if (rs === undefined) return;
      this.reset();
      for (const status of ["landed", "merged", "failed"]) this.set({ status }, 0);
      for (const row of rs.rows) this.set({ status: String(row.status) }, Number(row.n));
    },
  });
  new Counter({
    name: "piwardrive_loadtest_regressions_total",
    help: "Stored load-test runs whose comparison with their baseline said slower, by scenario (read at scrape time)",
    labelNames: ["scenario"] as const,
    registers,
    async collect() {
      const rs = await sources.db
        .execute(`SELECT json_extract(result, '$.scenario') AS scenario, count(*) AS n FROM load_test_runs
          WHERE status = 'done' AND json_extract(result, '$.comparison.verdict') = 'slower' GROUP BY 1`)
        .catch(() => undefined);
      if (rs === undefined) return;
      this.reset();
      for (const row of rs.rows) this.inc({ scenario: String(row.scenario) }, Number(row.n));
    },
  });
  new Gauge({
    name: "piwardrive_db_bytes",
    help: "Size of the database file and its write-ahead log",
    labelNames: ["file"] as const,
    registers,
    collect() {
      if (sources.dbPath === undefined) return;
      this.set({ file: "main" }, fileSize(sources.dbPath));
      this.set({ file: "wal" }, fileSize(`${sources.dbPath}-wal`));
    },
  });
  return {
    registry,
    mergeDuration: new Histogram({
      name: "piwardrive_merge_duration_seconds",
      help: "Time to merge one landed batch, by outcome",
      labelNames: ["outcome"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    mergeBatches: new Counter({
      name: "piwardrive_merge_batches_total",
      help: "Merge jobs run, by outcome (merged, already_merged, failed, error)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    mergeLag: new Histogram({
      name: "piwardrive_merge_lag_seconds",
      help: "Time from a batch landing (received_at) to its merge committing",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    sightingsMerged: new Counter({
      name: "piwardrive_merge_sightings_total",
      help: "Sightings inserted into observations by merges (replays insert none)",
      registers,
    }),
    reconcilerEnqueued: new Counter({
      name: "piwardrive_reconciler_enqueued_total",
      help: "Merge jobs the reconciler added or revived for batches still landed",
      registers,
    }),
    slowStatements: new Counter({
      name: "piwardrive_db_slow_statements_total",
      help: "Database statements that ran longer than the slow-statement threshold",
      registers,
    }),
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Records one merge job: its outcome and duration; for a fresh merge also the lag and the rows it added. */
export function observeMerge(
  metrics: PipelineMetrics,
  result: MergeOutcome | unknown,
  elapsedMs: number,
): void {
  const outcome = mergeOutcomeLabel(result);
  metrics.mergeDuration.observe({ outcome }, elapsedMs / 1000);
  metrics.mergeBatches.inc({ outcome });
  if (outcome !== "merged") return;
  const merged = result as Extract<MergeOutcome, { status: "merged" }>;
  metrics.sightingsMerged.inc(merged.insertedCount);
  metrics.mergeLag.observe(Math.max(0, merged.mergedAt - merged.receivedAt) / 1000);
}

function mergeOutcomeLabel(result: unknown): "merged" | "already_merged" | "failed" | "error" {
  if (typeof result === "object" && result !== null && "status" in result) {
    if (result.status === "merged" || result.status === "already_merged") return result.status;
  }
  // a poison batch or a key with no landed row is not retried; anything else is (busy database, ...)
  return result instanceof PoisonBatchError || result instanceof NotFoundError ? "failed" : "error";
}
