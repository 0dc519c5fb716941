#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerDoctor } from "./doctor.js";
import { registerImport } from "./import.js";
import { message } from "./open-database.js";
import { registerReplay } from "./replay.js";
import { registerRun } from "./run.js";
import { registerStatus } from "./status.js";
import { registerSyncCommand } from "./sync.js";

// package.json sits two levels up from both src/cli and dist/cli.
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("piwardrive-edge")
  .description("PiWardrive edge agent: a tuned libSQL store fed by Wi-Fi, Bluetooth and cell sources")
  .version(pkg.version);
registerDoctor(program);
registerImport(program);
registerReplay(program);
registerRun(program);
registerStatus(program);
registerSyncCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Expected failures (no database, bad configuration) are one line; the exit code says it failed.
  process.stderr.write(`piwardrive-edge: ${message(error)}\n`);
  process.exitCode = 1;
}
