import { randomUUID } from "node:crypto";
import type { Client } from "@libsql/client";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../logger.js";
import { closeRedis, createProducerRedis, createWorkerRedis } from "../queues/redis.js";
import { landBatch } from "../services/land-batch.js";
import { makeBatch, sighting } from "../test-support/batches.js";
import { DEAD_REDIS_URL, eventually, openTempDb, REDIS_URL } from "../test-support/test-cloud.js";
import { mergeProcessor } from "../workers/merge-worker.js";
import { DEFAULT_ALERT_RULES } from "./alert-rules.js";
import { DeliveryProducer } from "./delivery-producer.js";
import { addWatch } from "./watchlist.js";
import { createWebhookQueue } from "./webhook-queue.js";
import { parseAllowList } from "./webhook-target.js";
import { createWebhook, listDeliveries } from "./webhooks.js";

let db: Client;
let cleanup: () => void;
const redises: Redis[] = [];
const prefix = `test-${randomUUID()}`;
beforeEach(async () => {
  ({ db, cleanup } = await openTempDb());
  const watch = await addWatch(db, { type: "ssid", value: "Pineapple" });
  await createWebhook(
    db,
    { url: "http://127.0.0.1:9/hook", watchlistId: watch.id },
    parseAllowList("127.0.0.1"),
  );
});
afterEach(async () => {
  for (const r of redises.splice(0)) await closeRedis(r);
  cleanup();
});

async function landHit(batchSeq: number) {
  const batch = makeBatch({ deviceId: "dev-a", batchSeq }, [
    sighting(batchSeq + 1, `ee:00:00:00:00:0${batchSeq + 1}`, { ssid: "Pineapple" }),
  ]);
  await landBatch(db, {
    batch,
    payload: (await encodeDeltaBatch(batch)).body,
    contentEncoding: "gzip",
    receivedAt: 1,
  });
  return { deviceId: "dev-a", runId: batch.runId, batchSeq };
}

describe("the merge worker and the webhook outbox", () => {
  it("queues the deliveries its merge wrote", async () => {
    const redis = createWorkerRedis(REDIS_URL, { logger: memoryLogger(), name: "test-wiring" });
    const producer = createProducerRedis(REDIS_URL, { logger: memoryLogger(), name: "test-producer" });
    redises.push(redis, producer);
    await eventually(async () => (producer.status === "ready" ? true : undefined));
    const queue = createWebhookQueue(redis, { prefix });
    const webhooks = new DeliveryProducer(db, producer, prefix);
    try {
      const process = mergeProcessor({ db, webhooks, logger: memoryLogger() });
      const key = await landHit(0);
      expect(await process({ data: key })).toMatchObject({ status: "merged", insertedCount: 1 });
      const [delivery] = await listDeliveries(db, { limit: 10 });
      const job = await eventually(
        async () => (await queue.getJob(`delivery+1+${delivery?.webhookId}`)) ?? undefined,
      );
      expect(job.data).toEqual({ alertId: 1, webhookId: delivery?.webhookId });
    } finally {
      await webhooks.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it("never fails or holds a merge when Redis is down: the delivery stays pending for the sweep", async () => {
    const logger = memoryLogger();
    const dead = createProducerRedis(DEAD_REDIS_URL, { logger, name: "test-dead" });
    dead.on("error", () => {});
    redises.push(dead);
    const webhooks = new DeliveryProducer(db, dead, prefix);
    const process = mergeProcessor({ db, webhooks, logger, alertRules: DEFAULT_ALERT_RULES });
    const started = Date.now();
    expect(await process({ data: await landHit(0) })).toMatchObject({ status: "merged" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await listDeliveries(db, { limit: 10 })).toMatchObject([{ status: "pending", attempts: 0 }]);
    await eventually(
      async () =>
        logger.entries.some((l) => l.message === "webhook deliveries not queued; the sweep will send them") ||
        undefined,
    );
    await webhooks.close();
  });
});
