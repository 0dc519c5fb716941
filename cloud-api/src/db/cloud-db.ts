import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { withBusyRecovery } from "./busy-recovery.js";
import { measureStatements, type StatementStats } from "./statement-stats.js";

export interface CloudDbOptions {
  /** A file path, or a libSQL URL (file:, libsql:, http(s):, ws(s):) for sqld / Turso. */
  db: string;
  authToken?: string | undefined;
  busyTimeoutMs?: number;
  /** Times every statement into these stats (slow ones are logged); none: nothing is measured. */
  statements?: StatementStats | undefined;
}

/**
 * Per-connection pragmas for a local file (journal_mode=WAL is persistent and set first). The WAL is
 * checkpointed every 10,000 pages (40 MB) instead of SQLite's 1,000: a 5,000-row merge writes ~2 MB of
 * pages, so the default made every other merge's COMMIT run a checkpoint and its fsyncs (a quarter of the
 * merge's time, docs/benchmarks.md); after a burst, journal_size_limit truncates the WAL file back to 64 MiB
 * instead of keeping its peak on disk.
 */
export const FILE_PRAGMAS = [
  "PRAGMA synchronous=NORMAL",
  "PRAGMA temp_store=MEMORY",
  "PRAGMA wal_autocheckpoint=10000",
  `PRAGMA journal_size_limit=${64 * 1024 * 1024}`,
] as const;

/** What each tuned pragma must read back as on every connection (busy_timeout comes from the client). */
export function expectedPragmas(busyTimeoutMs: number): Record<string, string | number> {
  return {
    journal_mode: "wal",
    synchronous: 1,
    temp_store: 2,
    journal_size_limit: 64 * 1024 * 1024,
    wal_autocheckpoint: 10_000,
    busy_timeout: busyTimeoutMs,
  };
}

/** Pragmas doctor reads back (tuned or not): what a connection really runs with. */
export const REPORTED_PRAGMAS = [
  "journal_mode",
  "synchronous",
  "busy_timeout",
  "temp_store",
  "journal_size_limit",
  "cache_size",
  "mmap_size",
  "wal_autocheckpoint",
  "foreign_keys",
  "page_size",
  "auto_vacuum",
] as const;

/** Turns a bare path into a `file:` URL (creating its folder); leaves URLs alone. */
export function toDbUrl(db: string): { url: string; isFile: boolean } {
  if (/^(libsql|https?|wss?):/i.test(db)) return { url: db, isFile: false };
  const path = resolve(db.replace(/^file:/i, ""));
  mkdirSync(dirname(path), { recursive: true });
  return { url: `file:${path}`, isFile: true };
}

/**
 * Opens the cloud database with ONE connection (`concurrency: 1`). @libsql/client pools connections and
 * opens fresh, untuned ones whenever a call finds the pool busy, so a pool would silently drop
 * synchronous=NORMAL and lose the merge worker's TEMP staging table (see
 * edge-agent/src/store/edge-store.ts). Every write is a `batch(..., "write")` on this connection, i.e. one
 * BEGIN IMMEDIATE transaction; the libSQL driver runs a batch synchronously, so nothing interleaves on the
 * connection mid-transaction. `timeout` is SQLite's busy timeout: another process holding the write lock
 * makes us wait that long, then fail with SQLITE_BUSY (mapped to 503 / a job retry), after which the
 * connection is reopened and re-tuned (see busy-recovery.ts for the driver bug that makes this necessary).
 */
export async function openCloudDb(options: CloudDbOptions): Promise<Client> {
  const { url, isFile } = toDbUrl(options.db);
  const client = createClient({
    url,
    authToken: options.authToken,
    concurrency: 1,
    timeout: options.busyTimeoutMs ?? 5000,
    intMode: "number",
  });
  const measured = (c: Client) =>
    options.statements === undefined ? c : measureStatements(c, options.statements);
  if (!isFile) return measured(client);
  try {
    await client.execute("PRAGMA journal_mode=WAL");
    await applyPragmas(client);
  } catch (error) {
    client.close();
    throw error;
  }
  return measured(withBusyRecovery(client, applyPragmas));
}

async function applyPragmas(client: Client): Promise<void> {
  for (const pragma of FILE_PRAGMAS) await client.execute(pragma);
}

/**
 * Reopens the client's connection the way busy recovery does (client.reconnect(), then the pragmas a fresh
 * connection lacks), so doctor and tests can check that the second connection is tuned like the first.
 */
export async function reopenCloudDb(client: Client): Promise<void> {
  await client.reconnect();
  if (client.protocol === "file") await applyPragmas(client);
}

/** What SQLite reports for the pragmas we set; `doctor`-style checks and tests read them back. */
export async function readPragmas(client: Client): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of REPORTED_PRAGMAS) {
    const rs = await client.execute(`PRAGMA ${name}`);
    out[name] = rs.rows[0]?.[0] ?? null;
  }
  return out;
}
