import { DEFAULT_WIRE_LIMITS, type WireLimits } from "@piwardrive/shared-schema/wire";
import { z } from "zod";

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
  PIWARDRIVE_MAX_BODY_BYTES: int(1024).default(DEFAULT_WIRE_LIMITS.maxCompressedBytes),
  PIWARDRIVE_MAX_DECOMPRESSED_BYTES: int(1024).default(DEFAULT_WIRE_LIMITS.maxDecompressedBytes),
  /** Where load-test regressions are POSTed as JSON (none: they are only logged and counted). */
  PIWARDRIVE_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** `off` records no metrics at all (no middleware, no /metrics): for measuring what they cost. */
  PIWARDRIVE_METRICS: z.enum(["on", "off"]).default("on"),
  /** A port on 127.0.0.1 serving GET /metrics without a key (serve and worker each take their own). */
  PIWARDRIVE_METRICS_PORT: int(0, 65535).optional(),
});

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
  wireLimits: WireLimits;
  alertWebhookUrl: string | undefined;
  metrics: boolean;
  metricsPort: number | undefined;
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
    wireLimits: {
      maxCompressedBytes: e.PIWARDRIVE_MAX_BODY_BYTES,
      maxDecompressedBytes: e.PIWARDRIVE_MAX_DECOMPRESSED_BYTES,
    },
    alertWebhookUrl: e.PIWARDRIVE_ALERT_WEBHOOK_URL,
    metrics: e.PIWARDRIVE_METRICS === "on",
    metricsPort: e.PIWARDRIVE_METRICS_PORT,
  };
}
