import { join } from "node:path";
import { BatchedWriter, EdgeStore } from "@piwardrive/edge-agent/store";
import { benchTuning } from "./bench-tuning.js";
import { max, procStatusMb, sampleOwnRss, writtenMb } from "./rss.js";
import { inChunks, syntheticObservations } from "./synthetic-observations.js";

/** How the bench feeds its producers: a scan cycle's worth of rows per write() call. */
export const FEED_CHUNK_ROWS = 500;

export interface PhaseResult {
  phase: "writer" | "raw";
  rows: number;
  seconds: number;
  /** CPU time of the phase's process over the timed section (user + system). */
  cpuSeconds: number;
  /** Rows per transaction: the writer's default batch; the raw floor rolls up networks per batch of it. */
  batchRows: number;
  /** Written to storage during the timed section (WAL, checkpoints), MiB; null without /proc. */
  writtenMb: number | null;
  stored: number;
  networks: number;
  networkCountSum: number;
  profile: string;
  flushes?: number;
  /** RSS sampled every 100 ms in the phase's own process, and the kernel's high-water mark. */
  peakSampledRssMb?: number;
  hwmRssMb?: number | null;
  rssSamples?: number;
}

// Kept importable from here (sync-phases.ts uses it). This module loads the store only, never better-sqlite3:
// the writer phase's process, whose RSS is reported, holds no other engine.
export { benchTuning } from "./bench-tuning.js";

export function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

export function writtenSince(start: number | null): number | null {
  const now = writtenMb();
  return start === null || now === null ? null : now - start;
}

export async function storeCounts(
  query: (sql: string) => Promise<unknown[]> | unknown[],
): Promise<{ stored: number; networks: number; networkCountSum: number }> {
  const row = await query(
    "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM networks), (SELECT coalesce(sum(observation_count), 0) FROM networks)",
  );
  return { stored: Number(row[0]), networks: Number(row[1]), networkCountSum: Number(row[2]) };
}

/** Rows through the BatchedWriter (default options) into a fresh tuned store; timed until flush() resolves. */
export async function runWriterPhase(dir: string, rows: number, seed: number): Promise<PhaseResult> {
  const tuning = benchTuning();
  const store = await EdgeStore.open({ path: join(dir, "writer.db"), tuning });
  const writer = new BatchedWriter(store);
  const sampler = sampleOwnRss(100);
  const startedCpu = process.cpuUsage();
  const startedIo = writtenMb();
  const started = performance.now();
  for (const chunk of inChunks(syntheticObservations({ rows, seed }), FEED_CHUNK_ROWS)) {
    await writer.write(chunk);
  }
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSince(startedCpu);
  const written = writtenSince(startedIo);
  const samples = sampler.stop();
  const hwm = procStatusMb("self", "VmHWM");
  const counts = await storeCounts(async (sql) => {
    const row = (await store.execute(sql)).rows[0];
    return row === undefined ? [] : Array.from({ length: row.length }, (_, i) => row[i]);
  });
  const flushes = writer.stats.flushes;
  const batchRows = writer.maxBatchRows;
  await writer.close();
  store.close();
  return {
    phase: "writer",
    rows,
    seconds,
    cpuSeconds,
    batchRows,
    writtenMb: written,
    ...counts,
    profile: tuning.profile,
    flushes,
    peakSampledRssMb: max(samples),
    hwmRssMb: hwm,
    rssSamples: samples.length,
  };
}
