import { statSync } from "node:fs";
import type { EdgeStore } from "./edge-store.js";

/** How the database uses its file: pages, free pages and the sizes on disk. */
export interface SpaceStats {
  pageSize: number;
  pageCount: number;
  freelistCount: number;
  /** freelist_count / page_count: the share of the file incremental vacuum could give back. */
  freelistRatio: number;
  dbBytes: number;
  walBytes: number;
  shmBytes: number;
}

async function pragmaNumber(store: EdgeStore, name: string): Promise<number> {
  const rs = await store.execute(`PRAGMA ${name}`);
  return Number(rs.rows[0]?.[0] ?? 0);
}

export function fileBytes(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

export async function spaceStats(store: EdgeStore): Promise<SpaceStats> {
  const pageSize = await pragmaNumber(store, "page_size");
  const pageCount = await pragmaNumber(store, "page_count");
  const freelistCount = await pragmaNumber(store, "freelist_count");
  return {
    pageSize,
    pageCount,
    freelistCount,
    freelistRatio: pageCount === 0 ? 0 : freelistCount / pageCount,
    dbBytes: fileBytes(store.path),
    walBytes: fileBytes(`${store.path}-wal`),
    shmBytes: fileBytes(`${store.path}-shm`),
  };
}

/**
 * Moves up to `pages` free pages to the end of the file and truncates them (all of them when omitted).
 * Needs auto_vacuum=INCREMENTAL, which the store chooses when it creates the file. Returns pages freed.
 */
export async function incrementalVacuum(store: EdgeStore, pages?: number): Promise<number> {
  const before = await pragmaNumber(store, "freelist_count");
  if (before === 0) return 0;
  // A script, not execute(): the pragma returns a row per page freed, and a statement stepped only once
  // would free one page and stay active (the next checkpoint then fails with SQLITE_LOCKED).
  await store.executeScript(
    pages === undefined ? "PRAGMA incremental_vacuum" : `PRAGMA incremental_vacuum(${Math.floor(pages)})`,
  );
  return before - (await pragmaNumber(store, "freelist_count"));
}

export interface CheckpointResult {
  /** 1 when a reader or writer kept the checkpoint from finishing (it is retried next time). */
  busy: number;
  logFrames: number;
  checkpointedFrames: number;
}

/** Copies the WAL into the database and truncates the WAL file to zero bytes. */
export async function checkpointWal(store: EdgeStore): Promise<CheckpointResult> {
  const rs = await store.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  const row = rs.rows[0];
  return {
    busy: Number(row?.[0] ?? 0),
    logFrames: Number(row?.[1] ?? 0),
    checkpointedFrames: Number(row?.[2] ?? 0),
  };
}
