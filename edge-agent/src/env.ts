import { totalmem } from "node:os";
import { z } from "zod";
import type { GuardConfig } from "./guards/guard-policy.js";
import type { MaintenancePolicy } from "./store/maintenance.js";
import { type ProfileName, profileForMemory, type Tuning, tuningFor } from "./store/tuning.js";

/*
 * The edge agent's configuration: the one place that reads process.env. Every variable is optional and
 * has a default sized for a Pi Zero 2 W; an empty variable means "not set" (a common systemd artefact).
 */

const unset = (v: unknown) => (v === "" ? undefined : v);
const count = (fallback: number) =>
  z.preprocess(unset, z.coerce.number().int().nonnegative().default(fallback));
const positive = (fallback: number) => z.preprocess(unset, z.coerce.number().positive().default(fallback));
const nonNegative = (fallback: number) =>
  z.preprocess(unset, z.coerce.number().nonnegative().default(fallback));
const anyNumber = (fallback: number) => z.preprocess(unset, z.coerce.number().default(fallback));

const edgeEnvSchema = z.object({
  PIWARDRIVE_EDGE_DB: z.preprocess(unset, z.string().default("./data/edge.db")),
  /** Overrides the profile picked from total RAM. */
  PIWARDRIVE_EDGE_PROFILE: z.preprocess(unset, z.enum(["small", "medium", "large"]).optional()),
  PIWARDRIVE_EDGE_SYNCHRONOUS: z.preprocess(
    (v) => (typeof v === "string" && v !== "" ? v.toUpperCase() : undefined),
    z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  ),
  PIWARDRIVE_EDGE_BUSY_TIMEOUT_MS: count(5000),
  PIWARDRIVE_EDGE_SLOW_QUERY_MS: count(200),

  PIWARDRIVE_EDGE_GUARD_INTERVAL_MS: positive(10_000),
  PIWARDRIVE_EDGE_RSS_MODERATE_MB: positive(100),
  PIWARDRIVE_EDGE_RSS_CRITICAL_MB: positive(150),
  PIWARDRIVE_EDGE_MEM_AVAILABLE_MODERATE_MB: positive(96),
  PIWARDRIVE_EDGE_MEM_AVAILABLE_CRITICAL_MB: positive(48),
  PIWARDRIVE_EDGE_DISK_FLOOR_MB: positive(256),
  PIWARDRIVE_EDGE_DISK_RESUME_MB: positive(384),
  // The Pi firmware throttles at 80-85 °C; slow down before it does.
  PIWARDRIVE_EDGE_HOT_C: anyNumber(75),
  PIWARDRIVE_EDGE_COOL_C: anyNumber(70),
  PIWARDRIVE_EDGE_LAG_MS: positive(200),
  PIWARDRIVE_EDGE_LAG_RECOVER_MS: positive(100),
  PIWARDRIVE_EDGE_CADENCE_SLOWDOWN: positive(2),
  PIWARDRIVE_EDGE_MODERATE_BATCH_ROWS: positive(250),
  PIWARDRIVE_EDGE_CRITICAL_BATCH_ROWS: positive(50),
  PIWARDRIVE_EDGE_MODERATE_CACHE_KIB: positive(2048),
  PIWARDRIVE_EDGE_CRITICAL_CACHE_KIB: positive(512),

  PIWARDRIVE_EDGE_MAINTENANCE_INTERVAL_MS: positive(15 * 60_000),
  PIWARDRIVE_EDGE_RETENTION_DAYS: nonNegative(7),
  PIWARDRIVE_EDGE_SLOW_QUERIES_KEEP_ROWS: count(500),
  PIWARDRIVE_EDGE_SLOW_QUERIES_KEEP_DAYS: positive(14),
  PIWARDRIVE_EDGE_HEALTH_KEEP_ROWS: count(30_000),
  PIWARDRIVE_EDGE_HEALTH_KEEP_DAYS: positive(3),
  PIWARDRIVE_EDGE_VACUUM_FREELIST_RATIO: positive(0.1),
  PIWARDRIVE_EDGE_VACUUM_STEP_PAGES: positive(2048),
  PIWARDRIVE_EDGE_WAL_CHECKPOINT_MB: positive(16),

  // Sync (`sync` command): the cloud issues the device id and its bearer token. Prefer the variable to
  // --token, which other users can read in `ps`.
  PIWARDRIVE_EDGE_SYNC_URL: z.preprocess(unset, z.url({ protocol: /^https?$/ }).optional()),
  PIWARDRIVE_EDGE_SYNC_TOKEN: z.preprocess(unset, z.string().optional()),
  PIWARDRIVE_EDGE_DEVICE_ID: z.preprocess(unset, z.string().max(64).optional()),
  PIWARDRIVE_EDGE_SYNC_BANDWIDTH_BPS: z.preprocess(unset, z.coerce.number().positive().optional()),
});

export interface EdgeConfig {
  dbPath: string;
  profile: ProfileName | undefined;
  synchronous: "NORMAL" | "FULL";
  busyTimeoutMs: number;
  slowQueryMs: number;
  guardIntervalMs: number;
  guards: GuardConfig;
  maintenanceIntervalMs: number;
  maintenance: MaintenancePolicy;
  sync: { cloudUrl?: string; token?: string; deviceId?: string; bandwidthBytesPerSec?: number };
}

export class EdgeConfigError extends Error {
  override name = "EdgeConfigError";
}

/** Parses the environment (process.env unless given) into the agent's configuration, or says what is wrong. */
export function parseEdgeConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  const parsed = edgeEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new EdgeConfigError(`invalid edge configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    dbPath: e.PIWARDRIVE_EDGE_DB,
    profile: e.PIWARDRIVE_EDGE_PROFILE,
    synchronous: e.PIWARDRIVE_EDGE_SYNCHRONOUS,
    busyTimeoutMs: e.PIWARDRIVE_EDGE_BUSY_TIMEOUT_MS,
    slowQueryMs: e.PIWARDRIVE_EDGE_SLOW_QUERY_MS,
    guardIntervalMs: e.PIWARDRIVE_EDGE_GUARD_INTERVAL_MS,
    guards: {
      rssModerateMb: e.PIWARDRIVE_EDGE_RSS_MODERATE_MB,
      rssCriticalMb: e.PIWARDRIVE_EDGE_RSS_CRITICAL_MB,
      availableMemModerateMb: e.PIWARDRIVE_EDGE_MEM_AVAILABLE_MODERATE_MB,
      availableMemCriticalMb: e.PIWARDRIVE_EDGE_MEM_AVAILABLE_CRITICAL_MB,
      diskFloorMb: e.PIWARDRIVE_EDGE_DISK_FLOOR_MB,
      diskResumeMb: Math.max(e.PIWARDRIVE_EDGE_DISK_RESUME_MB, e.PIWARDRIVE_EDGE_DISK_FLOOR_MB),
      hotC: e.PIWARDRIVE_EDGE_HOT_C,
      coolC: Math.min(e.PIWARDRIVE_EDGE_COOL_C, e.PIWARDRIVE_EDGE_HOT_C),
      lagMs: e.PIWARDRIVE_EDGE_LAG_MS,
      lagRecoverMs: Math.min(e.PIWARDRIVE_EDGE_LAG_RECOVER_MS, e.PIWARDRIVE_EDGE_LAG_MS),
      cadenceSlowdown: e.PIWARDRIVE_EDGE_CADENCE_SLOWDOWN,
      moderateBatchRows: e.PIWARDRIVE_EDGE_MODERATE_BATCH_ROWS,
      criticalBatchRows: e.PIWARDRIVE_EDGE_CRITICAL_BATCH_ROWS,
      moderateCacheKib: e.PIWARDRIVE_EDGE_MODERATE_CACHE_KIB,
      criticalCacheKib: e.PIWARDRIVE_EDGE_CRITICAL_CACHE_KIB,
    },
    maintenanceIntervalMs: e.PIWARDRIVE_EDGE_MAINTENANCE_INTERVAL_MS,
    maintenance: {
      retentionDays: e.PIWARDRIVE_EDGE_RETENTION_DAYS,
      slowQueries: {
        keepRows: e.PIWARDRIVE_EDGE_SLOW_QUERIES_KEEP_ROWS,
        keepDays: e.PIWARDRIVE_EDGE_SLOW_QUERIES_KEEP_DAYS,
      },
      healthSamples: {
        keepRows: e.PIWARDRIVE_EDGE_HEALTH_KEEP_ROWS,
        keepDays: e.PIWARDRIVE_EDGE_HEALTH_KEEP_DAYS,
      },
      vacuumFreelistRatio: e.PIWARDRIVE_EDGE_VACUUM_FREELIST_RATIO,
      vacuumStepPages: e.PIWARDRIVE_EDGE_VACUUM_STEP_PAGES,
      walCheckpointBytes: e.PIWARDRIVE_EDGE_WAL_CHECKPOINT_MB * 1024 * 1024,
    },
    sync: {
      cloudUrl: e.PIWARDRIVE_EDGE_SYNC_URL,
      token: e.PIWARDRIVE_EDGE_SYNC_TOKEN,
      deviceId: e.PIWARDRIVE_EDGE_DEVICE_ID,
      bandwidthBytesPerSec: e.PIWARDRIVE_EDGE_SYNC_BANDWIDTH_BPS,
    },
  };
}

/** The store tuning the configuration asks for: the profile override, or the one sized from total RAM. */
export function tuningFromConfig(config: EdgeConfig, totalMemBytes: number = totalmem()): Tuning {
  return tuningFor(config.profile ?? profileForMemory(totalMemBytes), {
    synchronous: config.synchronous,
    busyTimeoutMs: config.busyTimeoutMs,
  });
}
