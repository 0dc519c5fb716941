import type { BlockList } from "node:net";
import type { Client } from "@libsql/client";
import type { WireLimits } from "@piwardrive/shared-schema/wire";
import type { Queue } from "bullmq";
import type { RequestIdVariables } from "hono/request-id";
import type { Redis } from "ioredis";
import type { AnalystCacheOptions } from "./cache/analyst-response-cache.js";
import type { StatementStats } from "./db/statement-stats.js";
import type { FleetThresholds } from "./fleet/fleet-thresholds.js";
import type { LoadTestJob } from "./loadtest/loadtest-queue.js";
import type { Logger } from "./logger.js";
import type { ApiMetrics } from "./metrics/api-metrics.js";
import type { MergeProducer } from "./queues/merge-producer.js";
import type { Reads } from "./reads/read-pool.js";
import type { ApiKey } from "./services/api-keys.js";
import type { BatchKey } from "./services/batch-key.js";
import type { Device } from "./services/devices.js";
import type { DeviceRateLimiter } from "./throttle/device-rate-limit.js";

/** Everything the app needs, passed in: tests hand in real ones on temp paths and unique queue prefixes. */
export interface AppDeps {
  db: Client;
  /** The API's fail-fast Redis connection (readiness probe, rate limiter). */
  redis: Redis;
  mergeProducer: MergeProducer;
  rateLimiter: DeviceRateLimiter;
  wireLimits: WireLimits;
  logger: Logger;
  /** Request and ingest metrics, served at GET /metrics (operator); undefined turns both off. */
  metrics?: ApiMetrics;
  /** Queues shown in bull-board at /admin/queues (none: the board is not mounted) and counted by /v1/ops/pipeline. */
  boardQueues?: Queue[];
  /** A handle on the merge queue for the pipeline view and batch retries (absent: those routes answer 503). */
  mergeQueue?: Queue<BatchKey>;
  /** When a device counts as stale (default DEFAULT_FLEET_THRESHOLDS). */
  fleet?: Pick<FleetThresholds, "staleAfterMs">;
  now?: () => number;
  /** Analyst requests per API key per minute (default DEFAULT_ANALYST_PER_MINUTE). */
  analystPerMinute?: number;
  /** Where the analyst reads run (reader threads); default: on `db` itself (localReads). */
  reads?: Reads;
  /** Private, loopback or link-local ranges webhooks may target anyway (absent: none). */
  webhookAllow?: BlockList;
  /** The analyst GET cache's bounds (default DEFAULT_ANALYST_CACHE; fields may be given alone). */
  analystCache?: Partial<AnalystCacheOptions>;
  /** API-started load tests (absent: /v1/loadtests is not mounted). selfOrigin is set once listening. */
  loadtests?: { queue: Queue<LoadTestJob>; selfOrigin: string | undefined };
  /** The database client's per-statement timings, served at GET /v1/ops/slow-queries (operator). */
  statements?: StatementStats;
  /** Set `draining` on SIGTERM: /ready answers 503 and responses close their connection. */
  lifecycle?: { draining: boolean };
}

/** The one Hono Env of the app. */
export interface AppEnv {
  Variables: RequestIdVariables & {
    device: Device;
    apiKey: ApiKey;
    /** deps.logger with this request's id (and, once authenticated, the device or API key id). */
    logger: Logger;
  };
}
