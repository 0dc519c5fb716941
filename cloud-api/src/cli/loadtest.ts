import { randomUUID } from "node:crypto";
import type { Client } from "@libsql/client";
import { Command, InvalidArgumentError, Option } from "commander";
import { openCloudDb } from "../db/cloud-db.js";
import { analystParamsFromApi, analystParamsFromDb, analystScenario } from "../loadtest/analyst-scenario.js";
import { baselineSamples, currentProvenance, saveRun } from "../loadtest/baseline-store.js";
import { compareLatencies } from "../loadtest/compare-runs.js";
import { loadScenarioFile } from "../loadtest/file-scenario.js";
import { ingestScenario } from "../loadtest/ingest-scenario.js";
import { describeResult, exitStatusOf, toLoadResult } from "../loadtest/load-result.js";
import { mixedScenario } from "../loadtest/mixed-scenario.js";
import { reportRegression } from "../loadtest/regression-alert.js";
import { describeDbLoad, runDbLoad } from "../loadtest/run-db-load.js";
import { runLoad } from "../loadtest/run-load.js";
import type { Scenario } from "../loadtest/scenario.js";
import { evaluateThresholds, parseThreshold, type Threshold } from "../loadtest/thresholds.js";
import { configFrom, print, withDbOption } from "./options.js";

interface HttpFlags {
  target: string;
  scenario: string;
  rate?: number;
  duration: number;
  warmup: number;
  connections: number;
  closed?: boolean;
  threshold: Threshold[];
  key?: string;
  devices: number;
  timeout: number;
  db?: string;
  json?: boolean;
  save?: boolean;
  name?: string;
  compare?: string;
}

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a number > 0`);
  return n;
};
const nonNegative = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number >= 0");
  return n;
};
const countOrZero = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be an integer >= 0");
  return n;
};
const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be an integer >= 1");
  return n;
};

export function loadtestCommand(): Command {
  const loadtest = new Command("loadtest").description("measure the API under load (open model by default)");
  withDbOption(loadtest.command("http"))
    .description(
      "load an HTTP API with a scenario; exit 0 if every threshold holds, 2 if not, 1 on bad usage",
    )
    .requiredOption("--target <url>", "base URL of the API, e.g. http://127.0.0.1:8080")
    .requiredOption("--scenario <name|file>", "analyst | ingest | mixed | a JSON scenario file")
    .option(
      "--rate <req/s>",
      "requests started per second (open model; required without --closed)",
      positive("--rate"),
    )
    .requiredOption("--duration <s>", "measured seconds", positive("--duration"))
    .option("--warmup <s>", "seconds run first and not measured", nonNegative, 0)
    .option("--connections <n>", "keep-alive connections (closed model: concurrent loops)", count, 32)
    .option("--closed", "closed model: each connection sends back to back (hides server stalls; see docs)")
    .addOption(
      new Option("--threshold <expr>", "e.g. 'p(95)<500', 'errors<1%', 'achievedRps>=95' (repeatable)")
        .argParser((value: string, previous: Threshold[]) => {
          try {
            return [...previous, parseThreshold(value)];
          } catch (error) {
            throw new InvalidArgumentError((error as Error).message);
          }
        })
        .default([]),
    )
    .option("--key <api key>", "API key sent as a bearer token (analyst scenario: analyst role or higher)")
    .option("--devices <n>", "simulated devices for the ingest scenario", count, 10)
    .option("--timeout <ms>", "per-request timeout", count, 10_000)
    .option("--save", "store the run (commit, Node, machine, parameters, latency sample) in the cloud db")
    .option("--name <baseline>", "with --save: the baseline the run joins (default: the scenario's name)")
    .option("--compare <baseline>", "test the run against a saved baseline (Mann-Whitney U, >= 5 % effect)")
    .option("--json", "print one JSON object")
    .action(async (flags: HttpFlags) => {
      if (!flags.closed && flags.rate === undefined) throw new Error("--rate is required for the open model");
      if (flags.name !== undefined && !flags.save) throw new Error("--name names the baseline of --save");
      const model = flags.closed ? "closed" : "open";
      const authorization = flags.key === undefined ? undefined : `Bearer ${flags.key}`;
      const db = await openDbIfNeeded(flags);
      try {
        const scenario = await buildScenario(flags, db, authorization);
        const run = await runLoad({
          target: flags.target,
          scenario,
          model,
          rate: flags.rate ?? 0,
          durationS: flags.duration,
          warmupS: flags.warmup,
          connections: flags.connections,
          timeoutMs: flags.timeout,
          ...(authorization === undefined ? {} : { authorization }),
        });
        const thresholds = evaluateThresholds(flags.threshold, run);
        const baseline = flags.compare === undefined ? undefined : await baselineSamples(db!, flags.compare);
        const comparison =
          baseline === undefined ? null : compareLatencies(flags.compare!, run.samplesMs, baseline.samplesMs);
        const result = toLoadResult({
          scenario: scenario.name,
          model,
          rate: flags.rate ?? 0,
          durationS: flags.duration,
          run,
          thresholds,
          comparison,
        });
        if (comparison?.verdict === "slower") {
          const config = configFrom(flags);
          const { jsonLogger } = await import("../json-logger.js");
          await reportRegression({
            comparison,
            result,
            target: flags.target,
            logger: jsonLogger({ level: config.logLevel }),
            webhookUrl: config.alertWebhookUrl,
          });
        }
        if (flags.save) {
          await saveRun(db!, {
            name: flags.name ?? scenario.name,
            params: paramsOf(flags, model),
            result,
            samplesMs: run.samplesMs,
            provenance: currentProvenance(),
          });
        }
        print(flags.json ? JSON.stringify(result) : describeResult(result));
        process.exitCode = exitStatusOf(result);
      } finally {
        db?.close();
      }
    });
  withDbOption(loadtest.command("db"))
    .description(
      "load the cloud database itself: readers run the hot analyst queries, writers land and merge batches",
    )
    .option("--readers <n>", "reader threads (one connection each)", countOrZero, 2)
    .option("--writers <n>", "writer threads (one connection each)", countOrZero, 1)
    .requiredOption("--duration <s>", "measured seconds", positive("--duration"))
    .option("--warmup <s>", "seconds run first and not measured", nonNegative, 1)
    .option("--batch-size <n>", "sightings per written batch", count, 1000)
    .option("--in-place", "run on the database itself, not on a VACUUM INTO copy (writers add rows to it)")
    .option("--json", "print one JSON object")
    .action(async (flags: DbFlags) => {
      const config = configFrom(flags);
      if (flags.readers === 0 && flags.writers === 0)
        throw new Error("nothing to run: no readers, no writers");
      const result = await runDbLoad({
        db: config.db,
        readers: flags.readers,
        writers: flags.writers,
        durationS: flags.duration,
        warmupS: flags.warmup,
        batchSize: flags.batchSize,
        busyTimeoutMs: config.busyTimeoutMs,
        inPlace: flags.inPlace === true,
      });
      print(flags.json ? JSON.stringify(result) : describeDbLoad(result));
    });
  return loadtest;
}

interface DbFlags {
  db?: string;
  readers: number;
  writers: number;
  duration: number;
  warmup: number;
  batchSize: number;
  inPlace?: boolean;
  json?: boolean;
}

function paramsOf(flags: HttpFlags, model: "open" | "closed") {
  return {
    target: flags.target,
    scenario: flags.scenario,
    model,
    rate: flags.rate ?? null,
    durationS: flags.duration,
    warmupS: flags.warmup,
    connections: flags.connections,
    thresholds: flags.threshold.map((t) => t.expr),
  };
}

/** The database is opened only when a scenario needs it (ingest devices, analyst parameters from --db). */
async function openDbIfNeeded(flags: HttpFlags): Promise<Client | undefined> {
  const needs = flags.scenario === "ingest" || flags.scenario === "mixed";
  if (!needs && flags.db === undefined && !flags.save && flags.compare === undefined) return undefined;
  const config = configFrom(flags);
  return openCloudDb({ db: config.db, authToken: config.dbAuthToken, busyTimeoutMs: config.busyTimeoutMs });
}

async function buildScenario(
  flags: HttpFlags,
  db: Client | undefined,
  authorization?: string,
): Promise<Scenario> {
  const analyst = async () => {
    const params =
      db !== undefined
        ? await analystParamsFromDb(db)
        : await analystParamsFromApi(flags.target, authorization);
    return analystScenario(flags.target, params, authorization);
  };
  const ingest = () => ingestScenario(db!, { devices: flags.devices, runTag: randomUUID().slice(0, 8) });
  switch (flags.scenario) {
    case "analyst":
      return analyst();
    case "ingest":
      return ingest();
    case "mixed":
      return mixedScenario(await analyst(), ingest());
    default:
      return loadScenarioFile(flags.scenario);
  }
}
