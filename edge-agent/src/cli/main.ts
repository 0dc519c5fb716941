#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { message } from "./open-database.js";

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs (or for the full help): `import` need not
 * load the sync client nor `status` the parsers, and every module a command does not load is memory a
 * Pi keeps (the agent's RSS budget is in docs/benchmarks.md).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  doctor: async () => (await import("./doctor.js")).registerDoctor,
  import: async () => (await import("./import.js")).registerImport,
  replay: async () => (await import("./replay.js")).registerReplay,
  run: async () => (await import("./run.js")).registerRun,
  status: async () => (await import("./status.js")).registerStatus,
  sync: async () => (await import("./sync.js")).registerSyncCommand,
};

// package.json sits two levels up from both src/cli and dist/cli.
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("piwardrive-edge")
  .description("PiWardrive edge agent: a tuned libSQL store fed by Wi-Fi, Bluetooth and cell sources")
  .version(pkg.version);
const requested = process.argv[2];
const load = requested === undefined ? undefined : COMMANDS[requested];
for (const loadCommand of load === undefined ? Object.values(COMMANDS) : [load])
  (await loadCommand())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Expected failures (no database, bad configuration) are one line; the exit code says it failed.
  process.stderr.write(`piwardrive-edge: ${message(error)}\n`);
  process.exitCode = 1;
}
