import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createClient } from "@libsql/client/sqlite3";
import { parseEdgeConfig, tuningFromConfig } from "../env.js";
import { EdgeStore } from "../store/edge-store.js";
import type { ProfileName } from "../store/tuning.js";

/** An error the CLI reports as one line on stderr with exit code 1 (no stack: it is the user's input). */
export class CliError extends Error {
  override name = "CliError";
}

export interface DatabaseOptions {
  db?: string;
  profile?: ProfileName;
}

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * Opens an EXISTING edge database with the configured tuning. Diagnostics must not create a database
 * where there was none (a typo in --db would otherwise report a healthy empty store), nor migrate a
 * SQLite file that is not ours, so both are checked before EdgeStore.open (which creates and migrates).
 */
export async function openExistingStore(options: DatabaseOptions): Promise<EdgeStore> {
  const config = parseEdgeConfig();
  const path = resolve(options.db ?? config.dbPath);
  const dir = dirname(path);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(`no database directory at ${dir}`);
  }
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) throw new CliError(`no database at ${path}`);
  if (!stat.isFile()) throw new CliError(`${path} is not a file`);
  if (readHeader(path) !== SQLITE_HEADER) throw new CliError(`${path} is not a SQLite database`);
  await assertEdgeSchema(path);
  const tuning = tuningFromConfig({ ...config, profile: options.profile ?? config.profile });
  try {
    // slowQueryMs 0: a diagnostic run must not add rows to slow_queries while it reads them.
    return await EdgeStore.open({ path, tuning, slowQueryMs: 0 });
  } catch (error) {
    throw new CliError(`cannot open ${path}: ${message(error)}`);
  }
}

function readHeader(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buffer = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString("latin1");
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${message(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function assertEdgeSchema(path: string): Promise<void> {
  const probe = createClient({ url: `file:${path}` });
  try {
    const rs = await probe.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='observations'");
    if (rs.rows.length === 0) {
      throw new CliError(`${path} is not a PiWardrive edge database (no observations table)`);
    }
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(`cannot read ${path}: ${message(error)}`);
  } finally {
    probe.close();
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
