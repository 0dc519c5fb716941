/**
 * Ingest benchmark: the BatchedWriter against the raw SQLite floor (better-sqlite3) and the tuning guide's
 * Python executemany, on the same synthetic drive, schema, indexes and pragmas.
 *
 *   npm run bench:ingest -- --rows 1000000 [--seed 1]
 *
 * Each phase runs in its own child process (the writer first), so better-sqlite3 and Python never share
 * an address space with the writer whose peak RSS is reported. The writer's process runs with the agent's
 * Node.js flags (AGENT_NODE_FLAGS), as the agent (`piwardrive-edge run`, the BatchedWriter with these default
 * options) runs in deploy/piwardrive-edge.service; the floor runs without them, at its fastest
 * (docs/decisions/0011-ingest-bench-agent-flags.md). The last line is machine-readable.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AGENT_NODE_FLAGS } from "@piwardrive/edge-agent/agent-node-flags";
import { numberArg, stringArg } from "./args.js";
import { benchTuning } from "./bench-tuning.js";
import type { PhaseResult } from "./ingest-phases.js";
import { reportPhaseResult, runPhaseInChild } from "./phase-child.js";
import { syntheticObservations } from "./synthetic-observations.js";

const TARGETS = { ratioVsRaw: 0.6, ratioVsGuide: 2.0, peakRssMb: 120 } as const;

const argv = process.argv.slice(2);
const rows = Math.floor(numberArg(argv, "rows", 1_000_000));
const seed = Math.floor(numberArg(argv, "seed", 1));
const phase = stringArg(argv, "phase");

function runPhaseChild(name: "writer" | "raw", dir: string, batchRows = 0): Promise<PhaseResult> {
  const self = fileURLToPath(import.meta.url);
  const flags = name === "writer" ? AGENT_NODE_FLAGS : [];
  const phaseArgs = ["--phase", name, "--dir", dir, "--rows", String(rows), "--seed", String(seed)];
  const args = [...flags, self, ...phaseArgs];
  if (batchRows > 0) args.push("--batch", String(batchRows));
  return runPhaseInChild<PhaseResult>(name, args);
}

const perSecond = (n: number, seconds: number) => (seconds > 0 ? Math.round(n / seconds) : 0);
const fmt = (n: number) => n.toLocaleString("en-US");
/**
 * Obs per CPU-second (on a shared machine wall-clock rates move with the neighbours' load; this less so)
 * and the bytes the phase wrote to storage (WAL frames and checkpoints: what an SD card wears with).
 */
const cpuNote = (r: { rows: number; cpuSeconds: number; writtenMb: number | null }) =>
  `${fmt(perSecond(r.rows, r.cpuSeconds))} obs/cpu-s, ${r.writtenMb === null ? "?" : fmt(Math.round(r.writtenMb))} MB written`;

function checkStored(r: { rows: number; stored: number; networkCountSum: number }, name: string): void {
  if (r.stored !== r.rows || r.networkCountSum !== r.rows) {
    throw new Error(
      `${name}: stored ${r.stored} observations and networks count ${r.networkCountSum}, expected ${r.rows}`,
    );
  }
}

async function main(): Promise<void> {
  // Loaded here, not at the top: the writer phase runs this same file and must load only the store.
  const { pythonAvailable, runGuide, writeGuideRows } = await import("./guide-python.js");
  const tuning = benchTuning();
  const dir = mkdtempSync(join(tmpdir(), "pw-bench-ingest-"));
  console.log(
    `ingest bench: ${fmt(rows)} rows, seed ${seed}, ${cpus().length} cpus, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM -> profile ${tuning.profile}, node ${process.version}, writer's node flags ${AGENT_NODE_FLAGS.join(" ") || "(none)"}`,
  );
  try {
    const writer = await runPhaseChild("writer", dir);
    checkStored(writer, "writer");
    const writerRate = perSecond(writer.rows, writer.seconds);
    const peakRss = Math.max(writer.peakSampledRssMb ?? 0, writer.hwmRssMb ?? 0);
    console.log(
      `writer: ${fmt(writer.rows)} rows in ${writer.seconds.toFixed(2)} s = ${fmt(writerRate)} obs/s, ${cpuNote(writer)} ` +
        `(${writer.flushes} flushes of up to ${writer.batchRows}, ${fmt(writer.networks)} networks); peak RSS ${peakRss.toFixed(1)} MB ` +
        `(sampled every 100 ms: ${writer.peakSampledRssMb?.toFixed(1)} MB over ${writer.rssSamples} samples; VmHWM ${writer.hwmRssMb?.toFixed(1) ?? "n/a"} MB)`,
    );

    const raw = await runPhaseChild("raw", dir, writer.batchRows);
    checkStored(raw, "raw");
    const rawRate = perSecond(raw.rows, raw.seconds);
    console.log(
      `raw:    ${fmt(raw.rows)} rows in ${raw.seconds.toFixed(2)} s = ${fmt(rawRate)} obs/s, ${cpuNote(raw)} ` +
        `(better-sqlite3, prepared statements, one transaction, network upserts per ${raw.batchRows} rows; ${fmt(raw.networks)} networks)`,
    );
    if (raw.networks !== writer.networks) {
      throw new Error(
        `raw floor has ${raw.networks} networks, the writer ${writer.networks}: not the same work`,
      );
    }

    let guideRate = 0;
    if (!pythonAvailable()) {
      console.log("guide: skipped (python3 not found)");
    } else {
      const rowsFile = join(dir, "guide-rows.jsonl");
      writeGuideRows(rowsFile, "guide-run", syntheticObservations({ rows, seed }));
      const guide = runGuide(dir, rowsFile, tuning, "scan");
      checkStored(guide, "guide");
      guideRate = perSecond(guide.rows, guide.seconds);
      console.log(
        `guide:  ${fmt(guide.rows)} rows in ${guide.seconds.toFixed(2)} s = ${fmt(guideRate)} obs/s, ${cpuNote(guide)} ` +
          `(python3 sqlite3 ${guide.sqlite}: BEGIN, executemany, commit per scan = ${fmt(guide.transactions)} transactions, ` +
          `an upsert per row; ${fmt(guide.networks)} networks)`,
      );
      const sameBatch = runGuide(dir, rowsFile, tuning, writer.batchRows);
      checkStored(sameBatch, "guide at the writer's batch size");
      console.log(
        `        for reference, the guide with the writer's ${writer.batchRows}-row transactions: ` +
          `${fmt(perSecond(sameBatch.rows, sameBatch.seconds))} obs/s, ${cpuNote(sameBatch)} (not in the ratio)`,
      );
    }

    const ratioVsRaw = rawRate > 0 ? writerRate / rawRate : 0;
    const ratioVsGuide = guideRate > 0 ? writerRate / guideRate : 0;
    const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
    console.log(`target ratio_vs_raw >= ${TARGETS.ratioVsRaw}: ${verdict(ratioVsRaw >= TARGETS.ratioVsRaw)}`);
    console.log(
      `target ratio_vs_guide >= ${TARGETS.ratioVsGuide}: ${guideRate > 0 ? verdict(ratioVsGuide >= TARGETS.ratioVsGuide) : "MISS (guide skipped)"}`,
    );
    console.log(`target peak_rss_mb <= ${TARGETS.peakRssMb}: ${verdict(peakRss <= TARGETS.peakRssMb)}`);
    console.log(
      `ingest_obs_per_s=${writerRate} raw_obs_per_s=${rawRate} guide_obs_per_s=${guideRate} ` +
        `ratio_vs_raw=${ratioVsRaw.toFixed(2)} ratio_vs_guide=${ratioVsGuide.toFixed(2)} peak_rss_mb=${peakRss.toFixed(1)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (phase === "writer" || phase === "raw") {
  const dir = stringArg(argv, "dir");
  if (dir === undefined) throw new Error("--dir is required with --phase");
  // Imported here, so each phase's process loads only its own engine.
  const result =
    phase === "writer"
      ? await (await import("./ingest-phases.js")).runWriterPhase(dir, rows, seed)
      : await (await import("./raw-floor.js")).runRawPhase(
          dir,
          rows,
          seed,
          Math.floor(numberArg(argv, "batch", 1000)),
        );
  reportPhaseResult(result);
} else {
  await main();
}
