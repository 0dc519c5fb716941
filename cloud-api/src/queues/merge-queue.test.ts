import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { QueueUnavailableError } from "../errors.js";
import { DEAD_REDIS_URL, REDIS_URL } from "../test-support/test-cloud.js";
import { MergeProducer } from "./merge-producer.js";
import { addMergeJob, createMergeQueue, mergeJobId } from "./merge-queue.js";
import { closeRedis, createProducerRedis, createWorkerRedis } from "./redis.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function workerQueue(prefix: string) {
  const redis = createWorkerRedis(REDIS_URL);
  const queue = createMergeQueue(redis, { prefix });
  cleanups.push(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await closeRedis(redis);
  });
  return queue;
}

describe("mergeJobId", () => {
  it("gives distinct keys distinct ids even when the separators appear inside the parts", () => {
    const a = mergeJobId({ deviceId: "dev-a", runId: "b-c", batchSeq: 1 });
    const b = mergeJobId({ deviceId: "dev-a-b", runId: "c", batchSeq: 1 });
    const c = mergeJobId({ deviceId: "dev", runId: "x+1", batchSeq: 2 });
    const d = mergeJobId({ deviceId: "dev", runId: "x", batchSeq: 12 });
    expect(new Set([a, b, c, d]).size).toBe(4);
    expect(mergeJobId({ deviceId: "dev", runId: "r:1", batchSeq: 0 })).not.toContain(":");
  });

  it("is accepted by BullMQ and dedupes a second add of the same batch", async () => {
    const queue = workerQueue(`test-${randomUUID()}`);
    const key = { deviceId: "dev-1", runId: "boot:2025-01-01T00:00:00Z", batchSeq: 42 };
    await addMergeJob(queue, key);
    await addMergeJob(queue, key);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
    const job = await queue.getJob(mergeJobId(key));
    expect(job?.data).toEqual(key);
    expect(job?.opts.removeOnComplete).toEqual({ count: 10_000, age: 86_400 });
    expect(job?.opts.attempts).toBe(8);
  });
});

describe("MergeProducer", () => {
  it("fails fast with QueueUnavailableError when Redis is unreachable", async () => {
    const redis = createProducerRedis(DEAD_REDIS_URL);
    const producer = new MergeProducer(redis, { prefix: `test-${randomUUID()}` });
    cleanups.push(async () => {
      await producer.close();
      await closeRedis(redis);
    });
    const started = Date.now();
    await expect(producer.enqueue({ deviceId: "d", runId: "r", batchSeq: 0 })).rejects.toBeInstanceOf(
      QueueUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("enqueues once the connection is ready, into the queue the workers read", async () => {
    const prefix = `test-${randomUUID()}`;
    const queue = workerQueue(prefix);
    const redis = createProducerRedis(REDIS_URL);
    const producer = new MergeProducer(redis, { prefix });
    cleanups.push(async () => {
      await producer.close();
      await closeRedis(redis);
    });
    await new Promise((resolve) => redis.once("ready", resolve));
    await producer.enqueue({ deviceId: "d", runId: "r", batchSeq: 3 });
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
  });
});
