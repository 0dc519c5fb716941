import { DEFAULT_WIRE_LIMITS, type WireLimits } from "@piwardrive/shared-schema/wire";
import { z } from "zod";
import {
  ALERT_RULE_TYPES,
  type AlertRules,
  type AlertType,
  DEFAULT_ALERT_RULES,
} from "./alerts/alert-rules.js";
import { parseAllowList } from "./alerts/webhook-target.js";
import { DEFAULT_FLEET_THRESHOLDS, type FleetThresholds } from "./fleet/fleet-thresholds.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";

/*
 * The only place that reads process.env. Every process (serve, worker, CLI) parses it once here; command
 * line flags then override single fields.
 */

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  /** A file path (default) or a libSQL URL (file:, libsql:, http(s):, ws(s):) for sqld / Turso. */
  PIWARDRIVE_CLOUD_DB: z.string().min(1).default("./data/cloud.db"),
  PIWARDRIVE_CLOUD_DB_AUTH_TOKEN: z.string().min(1).optional(),
  PIWARDRIVE_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Redis key prefix for queues and rate-limit counters (BullMQ forbids ':' in it). */
  PIWARDRIVE_QUEUE_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/)
    .default("piwardrive"),
  PIWARDRIVE_MERGE_CONCURRENCY: int(1, 64).default(2),
  PIWARDRIVE_RECONCILE_EVERY_MS: int(1000).default(60_000),
  PIWARDRIVE_INGEST_PER_MINUTE: int(1).default(120),
  /** Analyst requests per API key per minute, per API process. */
  PIWARDRIVE_ANALYST_PER_MINUTE: int(1).default(600),
  PIWARDRIVE_DB_BUSY_TIMEOUT_MS: int(0, 600_000).default(5000),
  /**
   * Threads that run the analyst reads of a local database file (reads/read-pool.ts); unset: one per core
   * (at most 4); `0`: on the API's own connection.
   */
  PIWARDRIVE_READ_THREADS: int(0, 64).optional(),
  PIWARDRIVE_MAX_BODY_BYTES: int(1024).default(DEFAULT_WIRE_LIMITS.maxCompressedBytes),
  PIWARDRIVE_MAX_DECOMPRESSED_BYTES: int(1024).default(DEFAULT_WIRE_LIMITS.maxDecompressedBytes),
  /** Where load-test regressions are POSTed as JSON (none: they are only logged and counted). */
  PIWARDRIVE_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * `off` records no metrics at all (no middleware, no /metrics, no statement timing nor
   * /v1/ops/slow-queries): for measuring what they cost.
   */
  PIWARDRIVE_METRICS: z.enum(["on", "off"]).default("on"),
  /** A port on 127.0.0.1 serving GET /metrics without a key (serve and worker each take their own). */
  PIWARDRIVE_METRICS_PORT: int(0, 65535).optional(),
  /** `on` (every rule), `off` (none), or a comma list of the rules to run (docs/alert-rules.md). */
  PIWARDRIVE_ALERT_RULES: z
    .string()
    .default("on")
    .refine(
      (v) =>
        v === "on" ||
        v === "off" ||
        ruleList(v).every((t) => (ALERT_RULE_TYPES as readonly string[]).includes(t)),
      `must be on, off or a comma list of ${ALERT_RULE_TYPES.join(", ")}`,
    ),
  PIWARDRIVE_ALERT_DOWNGRADE_STEPS: int(1, 7).default(DEFAULT_ALERT_RULES.downgradeMinSteps),
  PIWARDRIVE_ALERT_EVIL_TWIN_RADIUS_M: int(1, 10_000).default(DEFAULT_ALERT_RULES.evilTwinRadiusM),
  PIWARDRIVE_ALERT_EVIDENCE_SIGHTINGS: int(1, 100).default(DEFAULT_ALERT_RULES.evidenceSightings),
  /** CIDRs webhooks may reach although private, loopback or link-local (`10.0.0.0/8,127.0.0.1/32`). */
  PIWARDRIVE_WEBHOOK_ALLOW_CIDRS: z
    .string()
    .default("")
    .superRefine((v, ctx) => {
      try {
        parseAllowList(v);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      }
    }),
  /** Days of device_health and device_tracks kept (the {fleet} job deletes older rows). */
  PIWARDRIVE_DEVICE_HEALTH_DAYS: int(1, 3650).default(
    DEFAULT_FLEET_THRESHOLDS.healthRetentionMs / 86_400_000,
  ),
  /** A device not heard from for this long is stale (GET /v1/devices, device_stale alerts). */
  PIWARDRIVE_DEVICE_STALE_MINUTES: int(1).default(DEFAULT_FLEET_THRESHOLDS.staleAfterMs / 60_000),
  /** SoC temperature (°C) from which a device raises device_hot. */
  PIWARDRIVE_DEVICE_HOT_C: z.coerce.number().min(0).max(200).default(DEFAULT_FLEET_THRESHOLDS.hotC),
  /** Free disk (MB) below which a device raises device_low_disk. */
  PIWARDRIVE_DEVICE_LOW_DISK_MB: z.coerce.number().min(0).default(DEFAULT_FLEET_THRESHOLDS.lowDiskMb),
  /** How often the worker's {fleet} job checks the fleet for alerts and applies the retention. */
  PIWARDRIVE_FLEET_CHECK_EVERY_MS: int(1000).default(DEFAULT_FLEET_THRESHOLDS.checkEveryMs),
  /** pino level of the serve and worker processes' JSON logs on stderr. */
  PIWARDRIVE_LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  /** A database statement slower than this is logged and counted as slow (0 logs every statement). */
  PIWARDRIVE_SLOW_STATEMENT_MS: int(0).default(50),
  /** On SIGTERM, in-flight requests and jobs get this long to finish before the process exits 1. */
  PIWARDRIVE_SHUTDOWN_GRACE_MS: int(100, 600_000).default(25_000),
  /** On SIGTERM the API answers /ready 503 but keeps serving this long before it stops accepting. */
  PIWARDRIVE_SHUTDOWN_DRAIN_MS: int(0, 600_000).default(0),
  /** How often the worker runs the {maintenance} job (optimize, checkpoint, retention, vacuum). */
  PIWARDRIVE_MAINTENANCE_EVERY_MS: int(10_000).default(3_600_000),
  /** Raw payloads of merged batches older than this many days are dropped (the landed row stays). */
  PIWARDRIVE_PAYLOAD_RETENTION_DAYS: int(0, 36_500).default(7),
  /** VACUUM when free pages reach this percentage of the file (and at least 1 MiB). */
  PIWARDRIVE_VACUUM_FREE_PERCENT: int(1, 100).default(25),
});

const ruleList = (v: string) =>
  v
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

export interface CloudConfig {
  db: string;
  dbAuthToken: string | undefined;
  redisUrl: string;
  port: number;
  host: string;
  queuePrefix: string;
  mergeConcurrency: number;
  reconcileEveryMs: number;
  ingestPerMinute: number;
  analystPerMinute: number;
  busyTimeoutMs: number;
  /** Reader threads for the analyst reads (0: none; undefined: the default, one per core). */
  readThreads: number | undefined;
  wireLimits: WireLimits;
  alertWebhookUrl: string | undefined;
  metrics: boolean;
  metricsPort: number | undefined;
  /** The merge's alert rules and their thresholds. */
  alertRules: AlertRules;
  /** The webhook allow-list as given (parse with parseAllowList). */
  webhookAllowCidrs: string;
  fleet: FleetThresholds;
  logLevel: LogLevel;
  slowStatementMs: number;
  shutdownGraceMs: number;
  shutdownDrainMs: number;
  maintenanceEveryMs: number;
  payloadRetentionDays: number;
  vacuumFreePercent: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    db: e.PIWARDRIVE_CLOUD_DB,
    dbAuthToken: e.PIWARDRIVE_CLOUD_DB_AUTH_TOKEN,
    redisUrl: e.PIWARDRIVE_REDIS_URL,
    port: e.PORT,
    host: e.HOST,
    queuePrefix: e.PIWARDRIVE_QUEUE_PREFIX,
    mergeConcurrency: e.PIWARDRIVE_MERGE_CONCURRENCY,
    reconcileEveryMs: e.PIWARDRIVE_RECONCILE_EVERY_MS,
    ingestPerMinute: e.PIWARDRIVE_INGEST_PER_MINUTE,
    analystPerMinute: e.PIWARDRIVE_ANALYST_PER_MINUTE,
    busyTimeoutMs: e.PIWARDRIVE_DB_BUSY_TIMEOUT_MS,
    readThreads: e.PIWARDRIVE_READ_THREADS,
    wireLimits: {
      maxCompressedBytes: e.PIWARDRIVE_MAX_BODY_BYTES,
      maxDecompressedBytes: e.PIWARDRIVE_MAX_DECOMPRESSED_BYTES,
    },
    alertWebhookUrl: e.PIWARDRIVE_ALERT_WEBHOOK_URL,
    metrics: e.PIWARDRIVE_METRICS === "on",
    metricsPort: e.PIWARDRIVE_METRICS_PORT,
    alertRules: {
      enabled: e.PIWARDRIVE_ALERT_RULES !== "off",
      ...(e.PIWARDRIVE_ALERT_RULES === "on" || e.PIWARDRIVE_ALERT_RULES === "off"
        ? {}
        : { only: ruleList(e.PIWARDRIVE_ALERT_RULES) as AlertType[] }),
      downgradeMinSteps: e.PIWARDRIVE_ALERT_DOWNGRADE_STEPS,
      evilTwinRadiusM: e.PIWARDRIVE_ALERT_EVIL_TWIN_RADIUS_M,
      evidenceSightings: e.PIWARDRIVE_ALERT_EVIDENCE_SIGHTINGS,
    },
    webhookAllowCidrs: e.PIWARDRIVE_WEBHOOK_ALLOW_CIDRS,
    fleet: {
      healthRetentionMs: e.PIWARDRIVE_DEVICE_HEALTH_DAYS * 86_400_000,
      staleAfterMs: e.PIWARDRIVE_DEVICE_STALE_MINUTES * 60_000,
      hotC: e.PIWARDRIVE_DEVICE_HOT_C,
      lowDiskMb: e.PIWARDRIVE_DEVICE_LOW_DISK_MB,
      checkEveryMs: e.PIWARDRIVE_FLEET_CHECK_EVERY_MS,
    },
    logLevel: e.PIWARDRIVE_LOG_LEVEL,
    slowStatementMs: e.PIWARDRIVE_SLOW_STATEMENT_MS,
    shutdownGraceMs: e.PIWARDRIVE_SHUTDOWN_GRACE_MS,
    shutdownDrainMs: e.PIWARDRIVE_SHUTDOWN_DRAIN_MS,
    maintenanceEveryMs: e.PIWARDRIVE_MAINTENANCE_EVERY_MS,
    payloadRetentionDays: e.PIWARDRIVE_PAYLOAD_RETENTION_DAYS,
    vacuumFreePercent: e.PIWARDRIVE_VACUUM_FREE_PERCENT,
  };
}
