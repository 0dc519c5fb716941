import type { Command } from "commander";
import { guardConfigFor, loadAgentConfig } from "../config-file.js";
import { type EdgeConfig, parseEdgeConfig } from "../env.js";
import { GpsTagger } from "../gps/gps-tagger.js";
import { SystemReadings } from "../guards/readings.js";
import { ResourceGuards } from "../guards/resource-guards.js";
import { BatchedWriter } from "../store/batched-writer.js";
import { Maintenance } from "../store/maintenance.js";
import { SyncClient } from "../sync/sync-client.js";
import { SyncLoop } from "../sync/sync-loop.js";
import { CliError } from "./open-database.js";
import { openWritableStore } from "./open-writable-store.js";
import { startSources } from "./run-sources.js";

/**
 * `run --config <file>`: the agent as it runs on a board. Sources (live scanner, gpsd, replay) feed the
 * GPS tagger and the BatchedWriter; the resource guards and maintenance keep the board healthy; the sync
 * loop uploads whenever the writer commits and every sync.intervalMs. SIGINT / SIGTERM stop the sources,
 * flush the writer, finish the sync round in flight and exit 0. What it does is in `status` (another process).
 */
export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the agent: sources, GPS tagging, storage, resource guards and sync, until stopped")
    .requiredOption("--config <file>", "agent configuration (JSON)")
    .action(async (options: { config: string }) => {
      const env = parseEdgeConfig();
      const config = loadAgentConfig(options.config);
      const token = config.token ?? env.sync.token;
      if (token === undefined || token === "") {
        throw new CliError("missing token: set PIWARDRIVE_EDGE_SYNC_TOKEN (or `token` in the config file)");
      }
      await runAgent(config, env, token);
    });
}

const log = (line: string) => process.stderr.write(`piwardrive-edge: ${line}\n`);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function runAgent(config: ReturnType<typeof loadAgentConfig>, env: EdgeConfig, token: string) {
  const store = await openWritableStore(config.db);
  let loop: SyncLoop | null = null;
  const writer = new BatchedWriter(store, {
    onFlush: () => loop?.wake(),
    onError: (error) => log(`write failed (retrying): ${errorText(error)}`),
  });
  const tagger = new GpsTagger();
  const maintenance = new Maintenance(store, env.maintenance, {
    onError: (error) => log(`maintenance: ${errorText(error)}`),
  });
  const readings = new SystemReadings({ dbPath: store.path });
  const client = new SyncClient(store, {
    cloudUrl: config.cloudUrl,
    token,
    deviceId: config.deviceId,
    maxAgeMs: config.sync.maxBatchAgeMs,
    bandwidthBytesPerSec: env.sync.bandwidthBytesPerSec ?? null,
  });
  loop = new SyncLoop(client, {
    pollMs: config.sync.intervalMs,
    onReport: (r) => {
      if (r.batchesSent > 0) log(`synced ${r.observationsSent} observations in ${r.batchesSent} batches`);
      if (r.stoppedBy) log(`sync stopped: ${r.stoppedBy.reason}`);
    },
    onError: (error) => log(`sync error: ${errorText(error)}`),
  });
  const sources = startSources(config, { writer, tagger }, log);
  const guards = new ResourceGuards({
    store,
    writer,
    readings,
    config: guardConfigFor(config, env),
    maintenance,
    onCadence: (multiplier) => sources.scanner?.setCadenceMultiplier(multiplier),
    onError: (error) => log(`guards: ${errorText(error)}`),
  });
  guards.start(config.guards.intervalMs ?? env.guardIntervalMs);
  maintenance.start(env.maintenanceIntervalMs);
  loop.start();
  sources.replayed.then(
    (r) => log(`replay finished: ${r.observations} sightings, ${r.fixes} fixes`),
    (error: unknown) => log(`replay failed: ${errorText(error)}`),
  );
  log(`running (db ${store.path}, device ${config.deviceId}, cloud ${config.cloudUrl})`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve).once("SIGTERM", resolve);
  });
  log(`${signal}: stopping`);
  await sources.stop();
  await writer.close();
  await guards.stop();
  await maintenance.stop();
  await loop.stop();
  readings.close();
  store.close();
  log("stopped");
}
