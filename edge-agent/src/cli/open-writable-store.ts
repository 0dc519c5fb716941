import { statSync } from "node:fs";
import { resolve } from "node:path";
import { createClient } from "@libsql/client/sqlite3";
import { parseEdgeConfig, tuningFromConfig } from "../env.js";
import { readHead } from "../sources/files/file-input.js";
import { EdgeStore } from "../store/edge-store.js";
import { CliError, message } from "./open-database.js";

const SQLITE_MAGIC = "SQLite format 3\0";

/**
 * Opens the edge database for writing (import, replay), creating and migrating it when it does not exist.
 * An existing file must be an edge database or an empty SQLite file: migrating someone else's SQLite file
 * (a .kismet log given to --db by mistake) would write our tables into it.
 */
export async function openWritableStore(db: string | undefined): Promise<EdgeStore> {
  const config = parseEdgeConfig();
  const path = resolve(db ?? config.dbPath);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat !== undefined) {
    if (!stat.isFile()) throw new CliError(`${path} is not a file`);
    if (stat.size > 0) await assertOurs(path);
  }
  try {
    return await EdgeStore.open({ path, tuning: tuningFromConfig(config), slowQueryMs: config.slowQueryMs });
  } catch (error) {
    throw new CliError(`cannot open ${path}: ${message(error)}`);
  }
}

async function assertOurs(path: string): Promise<void> {
  const head = await readHead(path, SQLITE_MAGIC.length).catch((error: unknown) => {
    throw new CliError(`cannot read ${path}: ${message(error)}`);
  });
  if (head.toString("latin1") !== SQLITE_MAGIC) throw new CliError(`${path} is not a SQLite database`);
  const probe = createClient({ url: `file:${path}` });
  try {
    const rs = await probe.execute(
      "SELECT count(*) AS tables, sum(name = 'observations') AS ours FROM sqlite_master WHERE type = 'table'",
    );
    const row = rs.rows[0];
    if (Number(row?.tables ?? 0) > 0 && Number(row?.ours ?? 0) === 0) {
      throw new CliError(`${path} is a SQLite database but not a PiWardrive edge database`);
    }
  } catch (error) {
    throw error instanceof CliError ? error : new CliError(`cannot read ${path}: ${message(error)}`);
  } finally {
    probe.close();
  }
}
