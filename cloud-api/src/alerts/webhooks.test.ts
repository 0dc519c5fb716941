import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Client } from "@libsql/client";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../logger.js";
import { closeRedis, createWorkerRedis } from "../queues/redis.js";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, sighting } from "../test-support/batches.js";
import { eventually, openTempDb, REDIS_URL } from "../test-support/test-cloud.js";
import { addWatch } from "./watchlist.js";
import { enqueuePendingDeliveries, startWebhookWorker, type WebhookWorker } from "./webhook-queue.js";
import { SIGNATURE_HEADER, verifySignature } from "./webhook-signature.js";
import { parseAllowList, resolveWebhookTarget } from "./webhook-target.js";
import { createWebhook, listDeliveries } from "./webhooks.js";

let db: Client;
let cleanup: () => void;
let redis: Redis;
let receiver: Server;
let received: Array<{ body: string; signature: string | undefined }>;
let answers: number[];
let worker: WebhookWorker | undefined;
const prefix = `test-${randomUUID()}`;
const LOOPBACK = parseAllowList("127.0.0.1/32");

beforeEach(async () => {
  ({ db, cleanup } = await openTempDb());
  redis = createWorkerRedis(REDIS_URL, { logger: memoryLogger(), name: "test-webhooks" });
  received = [];
  answers = [];
  receiver = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString("utf8");
    });
    req.on("end", () => {
      received.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  const q = new Queue("{webhooks}", { connection: redis, prefix });
  await q.obliterate({ force: true });
  await q.close();
  await closeRedis(redis);
  await new Promise((r) => receiver.close(r));
  cleanup();
});

const receiverUrl = () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

describe("webhooks", () => {
  it("refuses loopback, link-local and private targets unless allowed", async () => {
    const none = parseAllowList("");
    for (const url of [
      "http://127.0.0.1/x",
      "http://localhost:8080/x",
      "http://10.1.2.3/",
      "http://172.20.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/",
      "http://[fd00::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://0.0.0.0/",
    ]) {
      await expect(resolveWebhookTarget(url, none), url).rejects.toThrow(/loopback, link-local or private/);
    }
    await expect(resolveWebhookTarget("ftp://example.com/", none)).rejects.toThrow(/http or https/);
    await expect(resolveWebhookTarget("http://u:p@8.8.8.8/", none)).rejects.toThrow(/credentials/);
    expect((await resolveWebhookTarget("http://127.0.0.1:9/x", LOOPBACK)).address).toBe("127.0.0.1");
    expect((await resolveWebhookTarget("https://93.184.215.14/x", none)).address).toBe("93.184.215.14");
  });

  it("delivers a watchlist hit signed, retries after a 500, and never blocks the merge", async () => {
    const watch = await addWatch(db, { type: "ssid", value: "Pineapple" });
    const hook = await createWebhook(db, { url: receiverUrl(), watchlistId: watch.id }, LOOPBACK);
    expect(hook.secret).toMatch(/^whsec_/);
    answers = [500];

    const batch = makeBatch({ deviceId: "dev-a" }, [sighting(1, "ee:00:00:00:00:01", { ssid: "Pineapple" })]);
    const encoded = await encodeDeltaBatch(batch);
    await landBatch(db, { batch, payload: encoded.body, contentEncoding: "gzip", receivedAt: 1 });
    const key = { deviceId: "dev-a", runId: batch.runId, batchSeq: 0 };
    // the receiver is not even asked during the merge: the delivery is a row, pending
    await mergeBatch({ db, key });
    expect(received).toHaveLength(0);
    expect((await listDeliveries(db, { limit: 10 }))[0]).toMatchObject({ status: "pending", attempts: 0 });

    worker = await startWebhookWorker({
      db,
      connection: redis,
      queue: { prefix, backoffMs: 100, attempts: 3 },
      allow: LOOPBACK,
      logger: memoryLogger(),
    });
    expect(await enqueuePendingDeliveries(db, worker.queue, { batch: key })).toBe(1);
    const done = await eventually(async () => {
      const [d] = await listDeliveries(db, { limit: 10 });
      return d?.status === "delivered" ? d : undefined;
    });
    expect(done).toMatchObject({ attempts: 2, lastStatus: 200, lastError: null });
    expect(received).toHaveLength(2);
    for (const r of received)
      expect(verifySignature(hook.secret, r.signature, r.body, Date.now())).toBe(true);
    expect(verifySignature("whsec_other", received[1]?.signature, received[1]?.body ?? "", Date.now())).toBe(
      false,
    );
    expect(verifySignature(hook.secret, received[1]?.signature, `${received[1]?.body} `, Date.now())).toBe(
      false,
    );
    // a recorded delivery replayed an hour later is refused by a receiver that checks the timestamp
    expect(
      verifySignature(hook.secret, received[1]?.signature, received[1]?.body ?? "", Date.now() + 3600_000),
    ).toBe(false);
    const sent = JSON.parse(received[1]?.body ?? "{}");
    expect(sent.alert).toMatchObject({
      type: "watchlist_hit",
      subject: { id: "ee:00:00:00:00:01" },
      ssid: "Pineapple",
    });

    // queued again (a sweep after a crash): the job id is the delivery, nothing is sent twice
    await enqueuePendingDeliveries(db, worker.queue, { olderThan: Date.now() + 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(2);
  });
});
