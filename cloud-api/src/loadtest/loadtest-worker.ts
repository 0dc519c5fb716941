import type { Client } from "@libsql/client";
import { type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { errorFields, type Logger } from "../logger.js";
import { DEFAULT_QUEUE_PREFIX, type MergeQueueLocation } from "../queues/merge-queue.js";
import { createApiKey } from "../services/api-keys.js";
import { analystParamsFromDb, analystScenario } from "./analyst-scenario.js";
import { API_LOADTEST_LIMITS, type ApiLoadTestRequest } from "./api-loadtests.js";
import { baselineSamples, encodeSamples } from "./baseline-store.js";
import { compareLatencies } from "./compare-runs.js";
import { scenarioFromDefinition } from "./file-scenario.js";
import { toLoadResult } from "./load-result.js";
import { LOADTEST_QUEUE_NAME, type LoadTestJob } from "./loadtest-queue.js";
import { reportRegression } from "./regression-alert.js";
import { runLoad } from "./run-load.js";
import { evaluateThresholds, parseThreshold } from "./thresholds.js";

/**
 * Runs API-started load tests one at a time (concurrency 1). The analyst scenario gets an analyst key
 * made for the run and revoked after, so no caller's secret is ever stored in the job or the row.
 */
export function startLoadTestWorker(input: {
  db: Client;
  connection: Redis;
  location?: MergeQueueLocation;
  logger: Logger;
  /** Where a regression found by a run's `compare` is POSTed (PIWARDRIVE_ALERT_WEBHOOK_URL). */
  alertWebhookUrl?: string | undefined;
}): Worker<LoadTestJob> {
  const worker = new Worker<LoadTestJob>(LOADTEST_QUEUE_NAME, (job) => runJob(input, job), {
    connection: input.connection,
    prefix: input.location?.prefix ?? DEFAULT_QUEUE_PREFIX,
    concurrency: 1,
    lockDuration: (API_LOADTEST_LIMITS.maxDurationS + API_LOADTEST_LIMITS.maxWarmupS + 60) * 1000,
  });
  worker.on("error", (error) => input.logger.warn("loadtest worker error", errorFields(error)));
  return worker;
}

async function runJob(
  input: { db: Client; logger: Logger; alertWebhookUrl?: string | undefined },
  job: Job<LoadTestJob>,
): Promise<void> {
  const { db, logger } = input;
  const { runId } = job.data;
  const rs = await db.execute({
    sql: "SELECT params FROM load_test_runs WHERE id = ? AND status = 'queued'",
    args: [runId],
  });
  const row = rs.rows[0];
  if (row === undefined) return; // already run, or removed
  const request = JSON.parse(String(row.params)) as ApiLoadTestRequest;
  await db.execute({ sql: "UPDATE load_test_runs SET status = 'running' WHERE id = ?", args: [runId] });
  let keyId: string | undefined;
  try {
    let authorization: string | undefined;
    let scenario: Awaited<ReturnType<typeof analystScenario>> | ReturnType<typeof scenarioFromDefinition>;
    if (request.scenario === "analyst") {
      const key = await createApiKey(db, { role: "analyst" });
      keyId = key.id;
      authorization = `Bearer ${key.key}`;
      scenario = await analystScenario(request.target, await analystParamsFromDb(db), authorization);
    } else {
      scenario = scenarioFromDefinition("api", request.scenario);
    }
    const run = await runLoad({
      target: request.target,
      scenario,
      model: "open",
      rate: request.rate,
      durationS: request.durationS,
      warmupS: request.warmupS,
      connections: API_LOADTEST_LIMITS.connections,
      timeoutMs: 10_000,
      ...(authorization === undefined ? {} : { authorization }),
    });
    const comparison =
      request.compare === undefined
        ? null
        : compareLatencies(
            request.compare,
            run.samplesMs,
            (await baselineSamples(db, request.compare)).samplesMs,
          );
    const result = toLoadResult({
      scenario: scenario.name,
      model: "open",
      rate: request.rate,
      durationS: request.durationS,
      run,
      thresholds: evaluateThresholds(request.thresholds.map(parseThreshold), run),
      comparison,
    });
    if (comparison?.verdict === "slower") {
      await reportRegression({
        comparison,
        result,
        target: request.target,
        logger,
        webhookUrl: input.alertWebhookUrl,
      });
    }
    await db.execute({
      sql: "UPDATE load_test_runs SET status = 'done', finished_at = ?, result = ?, samples = ? WHERE id = ?",
      args: [Date.now(), JSON.stringify(result), encodeSamples(run.samplesMs), runId],
    });
  } catch (error) {
    logger.error("load test failed", { runId, ...errorFields(error) });
    await db.execute({
      sql: "UPDATE load_test_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?",
      args: [Date.now(), (error as Error).message, runId],
    });
  } finally {
    if (keyId !== undefined) {
      await db.execute({ sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", args: [Date.now(), keyId] });
    }
  }
}
