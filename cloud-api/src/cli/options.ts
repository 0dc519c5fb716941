import type { Client } from "@libsql/client";
import type { Command } from "commander";
import { openCloudDb } from "../db/cloud-db.js";
import { type CloudConfig, loadConfig } from "../env.js";

/** Flags shared by the commands; each overrides the matching environment variable. */
export interface CommonFlags {
  db?: string;
  redis?: string;
  queuePrefix?: string;
}

export function withDbOption(command: Command): Command {
  return command.option(
    "--db <path-or-url>",
    "libSQL file or URL (env PIWARDRIVE_CLOUD_DB, default ./data/cloud.db)",
  );
}

export function withRedisOptions(command: Command): Command {
  return command
    .option("--redis <url>", "Redis URL (env PIWARDRIVE_REDIS_URL, default redis://127.0.0.1:6379)")
    .option("--queue-prefix <prefix>", "Redis key prefix for queues (env PIWARDRIVE_QUEUE_PREFIX)");
}

/** The environment's config (parsed once) with the command line on top. */
export function configFrom(flags: CommonFlags): CloudConfig {
  const config = loadConfig();
  return {
    ...config,
    db: flags.db ?? config.db,
    redisUrl: flags.redis ?? config.redisUrl,
    queuePrefix: flags.queuePrefix ?? config.queuePrefix,
  };
}

export function parseIntFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

/** Opens the database for a short admin command and always closes it. */
export async function withDb<T>(config: CloudConfig, run: (db: Client) => Promise<T>): Promise<T> {
  const db = await openCloudDb({
    db: config.db,
    authToken: config.dbAuthToken,
    busyTimeoutMs: config.busyTimeoutMs,
  });
  try {
    return await run(db);
  } catch (error) {
    if (error instanceof Error && /no such table/i.test(error.message)) {
      throw new Error(`${error.message} (run \`piwardrive-cloud migrate\` first)`);
    }
    throw error;
  } finally {
    db.close();
  }
}

/** Prints one line to stdout (logs go to stderr, so stdout stays machine-readable). */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
