/** @piwardrive/cloud-api: the pieces an operator script, e2e test or benchmark needs. */
export { getNetworkDetail } from "./analyst/network-detail.js";
export { parseNetworkQuery } from "./analyst/network-filters.js";
export { type SearchOptions, type SearchPath, searchNetworks } from "./analyst/network-search.js";
export { type ApiConfig, openApiDeps } from "./api-deps.js";
export { ApiError, type ErrorBody, toApiError } from "./api-error.js";
export { type AppDeps, type AppEnv, createApp } from "./app.js";
export { FILE_PRAGMAS, openCloudDb, readPragmas, toDbUrl } from "./db/cloud-db.js";
export { type CloudConfig, ConfigError, loadConfig } from "./env.js";
export * from "./errors.js";
export { WIGLE_COLUMNS } from "./exports/wigle-csv.js";
export { jsonLogger } from "./json-logger.js";
export { scenarioFromDefinition } from "./loadtest/file-scenario.js";
export { LatencyHistogram, type LatencySummary } from "./loadtest/latency-histogram.js";
export { type LoadOptions, runLoad } from "./loadtest/run-load.js";
export type { MeasuredRun } from "./loadtest/run-stats.js";
export { type PlannedRequest, type Scenario, seededRandom } from "./loadtest/scenario.js";
export { type Logger, memoryLogger } from "./logger.js";
export { type ApiMetrics, createApiMetrics } from "./metrics/api-metrics.js";
export { type MetricsServer, startMetricsServer } from "./metrics/metrics-server.js";
export { createPipelineMetrics, type PipelineMetrics } from "./metrics/pipeline-metrics.js";
export { MergeProducer } from "./queues/merge-producer.js";
export {
  addMergeJob,
  createMergeQueue,
  DEFAULT_QUEUE_PREFIX,
  MERGE_JOB_OPTIONS,
  MERGE_QUEUE_NAME,
  type MergeQueueLocation,
  mergeJobId,
} from "./queues/merge-queue.js";
export { closeRedis, createProducerRedis, createWorkerRedis } from "./queues/redis.js";
export { type RunningApi, type RunningServer, startApiServer, startServer } from "./server.js";
export { type ApiKey, createApiKey, ROLES, type Role } from "./services/api-keys.js";
export type { BatchKey } from "./services/batch-key.js";
export { createDevice, type Device, listDevices, revokeDevice } from "./services/devices.js";
export { type LandOutcome, landBatch } from "./services/land-batch.js";
export { type MergeOutcome, mergeBatch } from "./services/merge-batch.js";
export { type MergeGeneration, readMergeGeneration } from "./services/merge-generation.js";
export { type MergePlan, mergePlan } from "./services/merge-statements.js";
export { type FleetStats, getStats } from "./services/stats.js";
export { createDeviceRateLimiter, type DeviceRateLimiter } from "./throttle/device-rate-limit.js";
export { type MergeWorker, mergeProcessor, startMergeWorker } from "./workers/merge-worker.js";
export { type ReconcileResult, reconcileLandedBatches } from "./workers/reconciler.js";
