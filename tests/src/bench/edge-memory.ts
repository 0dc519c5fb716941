/**
 * Edge memory benchmark: the tuned store and the BatchedWriter (default options) ingesting a steady
 * 2,000 observations per second (200 rows every 100 ms) for --seconds S (default 60). RSS is sampled
 * once a second; the figure is the median of the second half, once the store and V8 have settled.
 * For scale, the same run measures a bare `node` process. The load runs in a child process started with
 * the agent's Node.js flags (AGENT_NODE_FLAGS, as deploy/piwardrive-edge.service starts the agent).
 *
 *   npm run bench:edge-memory -- --seconds 60
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AGENT_NODE_FLAGS } from "@piwardrive/edge-agent/agent-node-flags";
import { BatchedWriter, EdgeStore } from "@piwardrive/edge-agent/store";
import type { ObservationRecord } from "@piwardrive/shared-schema";
import { numberArg, stringArg } from "./args.js";
import { benchTuning } from "./bench-tuning.js";
import { reportPhaseResult, runPhaseInChild } from "./phase-child.js";
import { max, median, procStatusMb } from "./rss.js";
import { syntheticObservations } from "./synthetic-observations.js";

const TARGET_EDGE_RSS_MB = 80;
const RATE_PER_S = 2000;
const TICK_MS = 100;
const MIB = 1024 * 1024;

/** Peak RSS of a bare node process that lives 1.5 s, sampled from /proc every 50 ms. */
function bareNodeRssMb(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 1500)"], { stdio: "ignore" });
    const samples: number[] = [];
    const timer = setInterval(() => {
      const rss = child.pid === undefined ? null : procStatusMb(child.pid, "VmRSS");
      if (rss !== null) samples.push(rss);
    }, 50);
    child.on("error", reject);
    child.on("exit", () => {
      clearInterval(timer);
      if (samples.length === 0) reject(new Error("could not sample the bare node process (no /proc?)"));
      else resolve(max(samples));
    });
  });
}

interface LoadResult {
  afterImportsMb: number;
  afterOpenMb: number;
  samplesMb: number[];
  written: number;
  committed: number;
  flushes: number;
  profile: string;
}

/** In the child: the store and writer under the steady load, RSS sampled once a second. */
async function runLoad(seconds: number): Promise<LoadResult> {
  const afterImportsMb = process.memoryUsage().rss / MIB;
  const tuning = benchTuning();
  const dir = mkdtempSync(join(tmpdir(), "pw-bench-memory-"));
  const store = await EdgeStore.open({ path: join(dir, "edge.db"), tuning });
  const afterOpenMb = process.memoryUsage().rss / MIB;
  const writer = new BatchedWriter(store);
  const rows = syntheticObservations({ rows: seconds * RATE_PER_S + RATE_PER_S, startMs: Date.now() });
  const perTick = (RATE_PER_S * TICK_MS) / 1000;
  const samplesMb: number[] = [];
  let written = 0;
  let producing: Promise<unknown> = Promise.resolve();
  const tick = setInterval(() => {
    const batch: ObservationRecord[] = [];
    for (let k = 0; k < perTick; k++) {
      const next = rows.next();
      if (next.done) break;
      batch.push(next.value);
    }
    written += batch.length;
    producing = producing.then(() => writer.write(batch));
  }, TICK_MS);
  const sampler = setInterval(() => samplesMb.push(process.memoryUsage().rss / MIB), 1000);
  try {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 50));
  } finally {
    clearInterval(tick);
    clearInterval(sampler);
  }
  await producing;
  await writer.close();
  const committed = writer.stats.committedObservations;
  const flushes = writer.stats.flushes;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { afterImportsMb, afterOpenMb, samplesMb, written, committed, flushes, profile: tuning.profile };
}

async function main(seconds: number): Promise<void> {
  console.log(
    `edge memory bench: ${seconds} s at ${RATE_PER_S} obs/s (${RATE_PER_S / (1000 / TICK_MS)} rows every ${TICK_MS} ms), profile ${benchTuning().profile}, node ${process.version}, agent flags ${AGENT_NODE_FLAGS.join(" ") || "(none)"}`,
  );
  const bare = await bareNodeRssMb();
  const self = fileURLToPath(import.meta.url);
  const load = await runPhaseInChild<LoadResult>("load", [
    ...AGENT_NODE_FLAGS,
    self,
    "--phase",
    "load",
    "--seconds",
    String(seconds),
  ]);
  if (load.committed !== load.written) {
    throw new Error(`wrote ${load.written} rows but the writer committed ${load.committed}`);
  }
  const samples = load.samplesMb;
  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  const edge = median(secondHalf);
  console.log(
    `rss (MB): ${load.afterImportsMb.toFixed(1)} after loading the store and writer, ${load.afterOpenMb.toFixed(1)} with the store open; ` +
      `then per second: ${samples.map((v) => v.toFixed(0)).join(" ")}`,
  );
  console.log(
    `edge: ${load.written} rows committed in ${load.flushes} flushes; median RSS of the second half ${edge.toFixed(1)} MB ` +
      `(min ${Math.min(...secondHalf).toFixed(1)}, max ${max(secondHalf).toFixed(1)}); bare node ${bare.toFixed(1)} MB`,
  );
  console.log(`target edge_rss_mb <= ${TARGET_EDGE_RSS_MB}: ${edge <= TARGET_EDGE_RSS_MB ? "PASS" : "MISS"}`);
  console.log(`edge_rss_mb=${edge.toFixed(1)} bare_node_rss_mb=${bare.toFixed(1)}`);
}

const argv = process.argv.slice(2);
const seconds = Math.floor(numberArg(argv, "seconds", 60));
if (stringArg(argv, "phase") === "load") reportPhaseResult(await runLoad(seconds));
else await main(seconds);
