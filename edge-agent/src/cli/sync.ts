import { type Command, InvalidArgumentError } from "commander";
import { parseEdgeConfig } from "../env.js";
import { type DrainReport, SyncClient, type SyncResult } from "../sync/sync-client.js";
import { SyncLoop } from "../sync/sync-loop.js";
import { CliError, openExistingStore } from "./open-database.js";
import { aligned, bytes, printLines } from "./text-layout.js";

interface SyncOptions {
  db?: string;
  cloud?: string;
  token?: string;
  device?: string;
  bandwidth?: number;
  once?: boolean;
  json?: boolean;
}

/**
 * `sync`: uploads the outbox to the cloud. `--once` drains the backlog (partial batches included) and
 * exits 0 when it is empty, 1 when a failure stopped it (the reason on stderr, the state in sync_state);
 * without it, syncs opportunistically until SIGINT / SIGTERM.
 */
export function registerSyncCommand(program: Command): void {
  program
    .command("sync")
    .description("upload unacknowledged observations to the cloud (once, or continuously)")
    .option("--db <path>", "edge database file (default: $PIWARDRIVE_EDGE_DB or ./data/edge.db)")
    .option("--cloud <url>", "cloud base URL (default: $PIWARDRIVE_EDGE_SYNC_URL)")
    .option("--token <token>", "device token (default: $PIWARDRIVE_EDGE_SYNC_TOKEN, which ps cannot show)")
    .option("--device <id>", "device id issued by the cloud (default: $PIWARDRIVE_EDGE_DEVICE_ID)")
    .option("--bandwidth <bytesPerSec>", "cap the upload rate, for metered links", positiveNumber)
    .option("--once", "drain the backlog, then exit")
    .option("--json", "print one JSON object (per sync round without --once)")
    .action(async (options: SyncOptions) => {
      const env = parseEdgeConfig().sync;
      const cloudUrl = required(options.cloud ?? env.cloudUrl, "--cloud or PIWARDRIVE_EDGE_SYNC_URL");
      if (!/^https?:\/\/./.test(cloudUrl))
        throw new CliError(`--cloud must be an http(s) URL, got ${cloudUrl}`);
      const token = required(options.token ?? env.token, "--token or PIWARDRIVE_EDGE_SYNC_TOKEN");
      const deviceId = required(options.device ?? env.deviceId, "--device or PIWARDRIVE_EDGE_DEVICE_ID");
      const store = await openExistingStore(options);
      try {
        const client = new SyncClient(store, {
          cloudUrl,
          token,
          deviceId,
          bandwidthBytesPerSec: options.bandwidth ?? env.bandwidthBytesPerSec ?? null,
        });
        if (options.once) await syncOnce(new SyncLoop(client), options.json === true);
        else await syncUntilSignal(client, cloudUrl, options.json === true);
      } finally {
        store.close();
      }
    });
}

async function syncOnce(loop: SyncLoop, json: boolean): Promise<void> {
  const report = await loop.runOnce();
  if (json) process.stdout.write(`${JSON.stringify(resultOf(report))}\n`);
  else printLines(aligned(summary(report), ""));
  if (report.stoppedBy !== null) {
    process.stderr.write(`piwardrive-edge: sync stopped: ${stopText(report)}\n`);
    process.exitCode = 1;
  }
}

async function syncUntilSignal(client: SyncClient, cloudUrl: string, json: boolean): Promise<void> {
  const loop = new SyncLoop(client, {
    onReport: (report) => {
      if (json) process.stdout.write(`${JSON.stringify(resultOf(report))}\n`);
      else
        printLines([
          summary(report)
            .map(([k, v]) => `${k} ${v}`)
            .join(", "),
        ]);
      if (report.stoppedBy) process.stderr.write(`piwardrive-edge: ${stopText(report)}\n`);
    },
    onError: (error) => process.stderr.write(`piwardrive-edge: sync error: ${String(error)}\n`),
  });
  loop.start();
  // A round prints only when it sends something: say it is running (stderr, so --json stays one object a line).
  process.stderr.write(`piwardrive-edge: syncing to ${cloudUrl} until SIGINT / SIGTERM\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await loop.stop();
}

/** Exactly the documented `--json` keys, whatever else the report carries. */
function resultOf(r: SyncResult): SyncResult {
  const { batchesSent, observationsSent, duplicates, bytesSent, backlog } = r;
  return { batchesSent, observationsSent, duplicates, bytesSent, backlog };
}

function summary(r: DrainReport): Array<[string, unknown]> {
  return [
    ["batches sent", r.batchesSent],
    ["observations sent", r.observationsSent],
    ["duplicates", r.duplicates],
    ["bytes sent", bytes(r.bytesSent)],
    ["backlog", r.backlog],
  ];
}

function stopText(r: DrainReport): string {
  const stop = r.stoppedBy;
  if (stop === null) return "";
  if (stop.kind === "refused") return `the cloud refused batch ${stop.batchSeq ?? "?"}: ${stop.reason}`;
  return `${stop.reason}; next attempt at ${new Date(stop.nextAttemptAt).toISOString()}`;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw new CliError(`missing ${what}`);
  return value;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of bytes/s");
  return n;
}
