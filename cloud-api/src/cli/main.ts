#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { devicesCommand } from "./devices.js";
import { doctorCommand } from "./doctor.js";
import { exportCommand } from "./export.js";
import { keysCommand } from "./keys.js";
import { loadtestCommand } from "./loadtest.js";
import { migrateCommand } from "./migrate.js";
import { reportCommand } from "./report.js";
import { serveCommand } from "./serve.js";
import { workerCommand } from "./worker.js";

// package.json sits two levels up from both src/cli and dist/cli.
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("piwardrive-cloud")
  .description("PiWardrive cloud: ingest API, merge workers and fleet administration")
  .version(pkg.version)
  .addCommand(migrateCommand())
  .addCommand(serveCommand())
  .addCommand(workerCommand())
  .addCommand(devicesCommand())
  .addCommand(doctorCommand())
  .addCommand(keysCommand())
  .addCommand(loadtestCommand())
  .addCommand(reportCommand())
  .addCommand(exportCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`piwardrive-cloud: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
