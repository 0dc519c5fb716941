#!/usr/bin/env node
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { Children } from "./children.js";
import { type CloudLocation, migrateCloud, startCloud } from "./cloud-processes.js";
import { demoCredentials } from "./credentials.js";
import { type DemoConfig, parseDemoConfig } from "./env.js";
import { ensureRedis } from "./redis-check.js";
import { runDemo } from "./run-demo.js";

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
};

// package.json sits one level up from both src and dist.
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const env = parseDemoConfig();
const program = new Command("piwardrive-demo")
  .description("the whole PiWardrive pipeline on this machine: Redis, cloud API + worker, an edge agent")
  .version(pkg.version)
  .option("--data-dir <dir>", "where the cloud and edge databases go", env.dataDir)
  .option("--port <port>", "API port (0 picks a free one)", int, env.port)
  .option("--once", "exit after the first sync and summary", env.once)
  .option("--resync-ms <ms>", "drive again and re-sync this often", int, env.resyncMs)
  .option("--queue-prefix <prefix>", "Redis key prefix for the demo's queues", env.queuePrefix)
  .parse(process.argv);
const config: DemoConfig = { ...env, ...program.opts<Partial<DemoConfig>>() };
const print = (line = "") => process.stdout.write(`${line}\n`);

const children = new Children();
let stopping: Promise<void> | null = null;
/** Ctrl-C / SIGTERM: stop every child (gracefully, then by force) and exit 0. */
const stop = (code: number) => {
  stopping ??= (async () => {
    print("stopping: API, worker and edge agent ...");
    await children.stopAll();
    print("stopped.");
    process.exit(code);
  })();
  return stopping;
};
process.on("exit", () => children.killAllNow());
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  const redis = await ensureRedis(config.redisPort);
  if (redis.kind === "missing") {
    process.stderr.write(`${redis.hint}\n`);
    process.exit(1);
  }
  print(
    `redis     127.0.0.1:${config.redisPort} (${redis.kind === "started" ? "started redis-server" : "running"})`,
  );
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const at: CloudLocation = {
    db: join(dataDir, "cloud.db"),
    queuePrefix: config.queuePrefix,
    redisUrl: `redis://127.0.0.1:${config.redisPort}`,
  };
  await migrateCloud(children, at);
  print(`cloud db  ${at.db} (migrated)`);
  const credentials = await demoCredentials(children, dataDir, at);
  const cloud = await startCloud(children, { ...at, port: config.port }, () => {});
  print(`processes demo ${process.pid}, api ${cloud.api.pid}, worker ${cloud.worker.pid}`);
  await runDemo({
    config,
    children,
    cloud,
    credentials,
    cloudDb: at.db,
    edgeDb: join(dataDir, "edge.db"),
    print,
  });
  if (config.once) await stop(0);
} catch (error) {
  process.stderr.write(`piwardrive-demo: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
