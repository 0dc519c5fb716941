import { spawn } from "node:child_process";
import { join } from "node:path";
import {
  BatchedWriter,
  EdgeStore,
  FORMAT_SPECS,
  IMPORT_WRITER_OPTIONS,
  parseEdgeConfig,
  tuningFromConfig,
} from "@piwardrive/edge-agent";
import type { ObservationRecord } from "@piwardrive/shared-schema";
import { procStatusMb } from "./rss.js";

/** The CLI's import writes a sighting chunk of this size per write() call; the writer phase does the same. */
export const CHUNK_ROWS = 500;

export interface CliImportResult {
  seconds: number;
  /** Highest of VmHWM and the sampled VmRSS of the child, MiB. */
  peakRssMb: number;
  files: Array<{
    records: number;
    observations: number;
    rejected: number;
    wifiNetworks: number;
    btDevices: number;
  }>;
}

/**
 * Runs the built CLI (`node edge-agent/dist/cli/main.js import <file> --db <db> --json`) as a child process,
 * timing it from spawn to exit and polling /proc/<pid>/status every 50 ms for its RSS and high-water mark
 * (the last poll lands within 50 ms of its exit; /proc is gone once it has been reaped).
 */
export function runCliImport(cliPath: string, file: string, db: string): Promise<CliImportResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cliPath, "import", file, "--db", db, "--json"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let peak = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      for (const field of ["VmHWM", "VmRSS"] as const)
        peak = Math.max(peak, procStatusMb(child.pid, field) ?? 0);
    };
    const timer = setInterval(sample, 50);
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      sample();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`import exited ${code}: ${out}`));
      const parsed = JSON.parse(out) as { files: CliImportResult["files"] };
      resolve({ seconds, peakRssMb: peak, files: parsed.files });
    });
  });
}

export interface WriterPhaseResult {
  rows: number;
  parseSeconds: number;
  seconds: number;
  stored: number;
}

/**
 * The writer path on the same sightings: the CSV is parsed completely into memory first (untimed), then
 * fed to a BatchedWriter on a fresh store with the CLI's configuration, CHUNK_ROWS per write(), timed
 * until flush() resolves.
 */
export async function runWriterPhase(file: string, dir: string): Promise<WriterPhaseResult> {
  const config = parseEdgeConfig();
  const now = Date.now();
  const parseStarted = performance.now();
  const observations: ObservationRecord[] = [];
  for await (const event of FORMAT_SPECS.wigle.read(file, { capturedAt: now, now })) {
    if (event.type === "observation") observations.push(event.observation);
  }
  const parseSeconds = (performance.now() - parseStarted) / 1000;

  const store = await EdgeStore.open({
    path: join(dir, "writer.db"),
    tuning: tuningFromConfig(config),
    slowQueryMs: config.slowQueryMs,
  });
  const writer = new BatchedWriter(store, IMPORT_WRITER_OPTIONS);
  const started = performance.now();
  for (let i = 0; i < observations.length; i += CHUNK_ROWS) {
    await writer.write(observations.slice(i, i + CHUNK_ROWS));
  }
  await writer.flush();
  const seconds = (performance.now() - started) / 1000;
  const stored = Number((await store.execute("SELECT count(*) FROM observations")).rows[0]?.[0]);
  await writer.close();
  store.close();
  return { rows: observations.length, parseSeconds, seconds, stored };
}
