/**
 * Connection tuning for the edge database. The tuning guide's pragmas, sized per board class from total RAM.
 * cache_size is negative KiB (SQLite's convention); mmap_size is bytes.
 */
export type ProfileName = "small" | "medium" | "large";

export interface Tuning {
  profile: ProfileName;
  synchronous: "NORMAL" | "FULL";
  busyTimeoutMs: number;
  cacheSizeKib: number;
  mmapSizeBytes: number;
  walAutocheckpointPages: number;
  journalSizeLimitBytes: number;
}

const MIB = 1024 * 1024;

/**
 * Pi Zero 2 W (512 MB), Pi 3/4 with 1-2 GB, and 4 GB+ boards.
 *
 * Sized to an RSS budget, not to the board's RAM: the agent should stay under the memory guard's moderate
 * threshold (100 MB) while it ingests flat out, whatever the board. So no profile maps the file
 * (`mmap_size` 0): mapped pages count in RSS (64 MB of them on "large"), an I/O error on an SD card would
 * arrive as SIGBUS instead of SQLITE_IOERR, and the ingest benchmark showed no gain from it. The page cache
 * stays small for the same reason (the OS cache holds the file anyway): 1,000,000 rows ingested at the same
 * speed with 2, 4, 8 and 16 MB, and every MB of it is RSS. What the bigger boards get is a longer WAL:
 * fewer checkpoints, so fewer fsyncs and fewer pages written twice. See docs/benchmarks.md.
 */
export const PROFILES: Record<ProfileName, Omit<Tuning, "synchronous" | "busyTimeoutMs">> = {
  small: {
    profile: "small",
    cacheSizeKib: 2 * 1024,
    mmapSizeBytes: 0,
    walAutocheckpointPages: 500,
    journalSizeLimitBytes: 8 * MIB,
  },
  medium: {
    profile: "medium",
    cacheSizeKib: 3 * 1024,
    mmapSizeBytes: 0,
    walAutocheckpointPages: 4000,
    journalSizeLimitBytes: 32 * MIB,
  },
  large: {
    profile: "large",
    cacheSizeKib: 4 * 1024,
    mmapSizeBytes: 0,
    walAutocheckpointPages: 8000,
    journalSizeLimitBytes: 64 * MIB,
  },
};

/** Picks the profile for a board from its total RAM in bytes. */
export function profileForMemory(totalBytes: number): ProfileName {
  if (totalBytes < 1000 * MIB) return "small";
  if (totalBytes < 3500 * MIB) return "medium";
  return "large";
}

export function tuningFor(
  profile: ProfileName,
  options: { synchronous?: "NORMAL" | "FULL"; busyTimeoutMs?: number } = {},
): Tuning {
  return {
    ...PROFILES[profile],
    synchronous: options.synchronous ?? "NORMAL",
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
  };
}

/** The per-connection statements that realise a tuning (journal_mode=WAL is persistent and set on open). */
export function pragmaStatements(t: Tuning): string[] {
  return [
    `PRAGMA synchronous=${t.synchronous}`,
    `PRAGMA busy_timeout=${t.busyTimeoutMs}`,
    `PRAGMA cache_size=${-t.cacheSizeKib}`,
    `PRAGMA mmap_size=${t.mmapSizeBytes}`,
    "PRAGMA temp_store=MEMORY",
    `PRAGMA wal_autocheckpoint=${t.walAutocheckpointPages}`,
    `PRAGMA journal_size_limit=${t.journalSizeLimitBytes}`,
    "PRAGMA foreign_keys=ON",
  ];
}

/** What SQLite should report back for each pragma once a tuning is applied. */
export function expectedPragmas(t: Tuning): Record<string, string | number> {
  return {
    journal_mode: "wal",
    synchronous: t.synchronous === "FULL" ? 2 : 1,
    busy_timeout: t.busyTimeoutMs,
    cache_size: -t.cacheSizeKib,
    mmap_size: t.mmapSizeBytes,
    temp_store: 2,
    wal_autocheckpoint: t.walAutocheckpointPages,
    journal_size_limit: t.journalSizeLimitBytes,
    foreign_keys: 1,
  };
}

export const PRAGMA_NAMES = [
  "journal_mode",
  "synchronous",
  "busy_timeout",
  "cache_size",
  "mmap_size",
  "temp_store",
  "wal_autocheckpoint",
  "journal_size_limit",
  "foreign_keys",
  "page_size",
  "auto_vacuum",
] as const;
