/**
 * Import benchmark: `piwardrive-edge import` on a large WiGLE CSV against the BatchedWriter alone on the
 * same sightings.
 *
 *   npm run bench:import -- --rows 1000000 [--fixtures ../shared/fixtures]
 *
 * The CSV is generated from the real WiGLE fixture rows (wigle-drive.ts). The import runs as the built CLI
 * in a child process (wall time from spawn to exit: start-up, migration, hashing, parsing, tagging and
 * writing; peak RSS from /proc). The writer phase runs in another child: it parses the same file into
 * memory first, untimed, then times the BatchedWriter ingest into a fresh store. The last line is
 * machine-readable.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { numberArg, stringArg } from "./args.js";
import { runCliImport, runWriterPhase, type WriterPhaseResult } from "./import-phases.js";
import { reportPhaseResult, runPhaseInChild } from "./phase-child.js";
import { writeWigleDrive } from "./wigle-drive.js";

const TARGETS = { ratio: 0.7, peakRssMb: 150 } as const;

const argv = process.argv.slice(2);
const rows = Math.floor(numberArg(argv, "rows", 1_000_000));
const phase = stringArg(argv, "phase");
// tests/dist/bench -> the repository root, and ../shared/fixtures beside it.
const root = resolve(import.meta.dirname, "../../..");
const fixturesDir = resolve(stringArg(argv, "fixtures") ?? join(root, "../shared/fixtures"));
const cliPath = join(root, "edge-agent/dist/cli/main.js");

function writerPhaseChild(file: string, dir: string): Promise<WriterPhaseResult> {
  const args = [fileURLToPath(import.meta.url), "--phase", "writer", "--file", file, "--dir", dir];
  return runPhaseInChild<WriterPhaseResult>("writer", args);
}

const perSecond = (n: number, seconds: number) => (seconds > 0 ? Math.round(n / seconds) : 0);
const fmt = (n: number) => n.toLocaleString("en-US");
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pw-bench-import-"));
  console.log(
    `import bench: ${fmt(rows)} rows, ${cpus().length} cpus (${cpus()[0]?.model ?? "?"}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}`,
  );
  try {
    const file = join(dir, "drive.csv");
    const generated = performance.now();
    const transmitters = writeWigleDrive(file, rows, fixturesDir);
    const mib = statSync(file).size / 2 ** 20;
    console.log(
      `generated ${file}: ${mib.toFixed(1)} MiB, ${fmt(transmitters)} transmitters, ` +
        `in ${((performance.now() - generated) / 1000).toFixed(1)} s`,
    );

    const cli = await runCliImport(cliPath, file, join(dir, "import.db"));
    const summary = cli.files[0];
    if (summary?.records !== rows || summary.observations !== rows || summary.rejected !== 0) {
      throw new Error(`the import read ${JSON.stringify(summary)}, expected ${rows} stored records`);
    }
    const importRate = perSecond(rows, cli.seconds);
    console.log(
      `import: ${fmt(rows)} rows in ${cli.seconds.toFixed(2)} s = ${fmt(importRate)} obs/s ` +
        `(CLI child process, spawn to exit; ${fmt(summary.wifiNetworks)} Wi-Fi networks, ` +
        `${fmt(summary.btDevices)} BT devices); peak RSS ${cli.peakRssMb.toFixed(1)} MB`,
    );

    const writer = await writerPhaseChild(file, dir);
    if (writer.stored !== rows) throw new Error(`the writer phase stored ${writer.stored}, expected ${rows}`);
    const writerRate = perSecond(rows, writer.seconds);
    console.log(
      `writer: ${fmt(rows)} rows in ${writer.seconds.toFixed(2)} s = ${fmt(writerRate)} obs/s ` +
        `(BatchedWriter only; parsing them first took ${writer.parseSeconds.toFixed(2)} s, untimed)`,
    );

    const ratio = writerRate > 0 ? importRate / writerRate : 0;
    console.log(`target ratio >= ${TARGETS.ratio}: ${verdict(ratio >= TARGETS.ratio)}`);
    console.log(`target peak_rss_mb <= ${TARGETS.peakRssMb}: ${verdict(cli.peakRssMb <= TARGETS.peakRssMb)}`);
    console.log(
      `import_obs_per_s=${importRate} writer_obs_per_s=${writerRate} ratio=${ratio.toFixed(2)} ` +
        `peak_rss_mb=${cli.peakRssMb.toFixed(1)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (phase === "writer") {
  const file = stringArg(argv, "file");
  const dir = stringArg(argv, "dir");
  if (file === undefined || dir === undefined) throw new Error("--file and --dir are required with --phase");
  const result = await runWriterPhase(file, dir);
  reportPhaseResult(result);
} else {
  await main();
}
