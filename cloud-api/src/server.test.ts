import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, describe, expect, it } from "vitest";
import { createMergeQueue } from "./queues/merge-queue.js";
import { type RunningApi, type RunningServer, startApiServer, startServer } from "./server.js";
import { createDevice } from "./services/devices.js";
import { makeBatch, manySightings } from "./test-support/batches.js";
import { openTestCloud, REDIS_URL, type TestCloud } from "./test-support/test-cloud.js";

let cloud: TestCloud | undefined;
let running: RunningServer | RunningApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  await cloud?.cleanup();
  cloud = undefined;
});

describe("the API on a real port", () => {
  it("ingests over HTTP: 202 for a batch, 413 by Content-Length before reading an oversized body", async () => {
    cloud = await openTestCloud({
      wireLimits: { maxCompressedBytes: 32 * 1024, maxDecompressedBytes: 1 << 20 },
    });
    running = await startServer({ app: cloud.app, port: 0 });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const encoded = await encodeDeltaBatch(makeBatch({ deviceId: device.id }, manySightings(50)));
    const headers = {
      authorization: `Bearer ${device.token}`,
      "content-type": encoded.contentType,
      "content-encoding": encoded.contentEncoding,
    };
    const res = await fetch(`${running.url}/v1/ingest`, { method: "POST", headers, body: encoded.body });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });

    const big = await fetch(`${running.url}/v1/ingest`, {
      method: "POST",
      headers,
      body: new Uint8Array(64 * 1024),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe("too_large");
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });

  it("starts the whole API process from a config (startApiServer) and stops it cleanly", async () => {
    cloud = await openTestCloud(); // for its migrated temp database and unique prefix
    running = await startApiServer({
      config: {
        db: cloud.path,
        dbAuthToken: undefined,
        redisUrl: REDIS_URL,
        queuePrefix: cloud.prefix,
        ingestPerMinute: 100,
        busyTimeoutMs: 1000,
        wireLimits: { maxCompressedBytes: 1 << 20, maxDecompressedBytes: 1 << 22 },
        port: 0,
        host: "127.0.0.1",
      },
      logger: cloud.logger,
    });
    const ready = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`${running?.url}/ready`);
        if (r.status === 200) return r;
        await new Promise((done) => setTimeout(done, 20));
      }
      throw new Error("never ready");
    })();
    expect(await ready.json()).toEqual({ status: "ready", checks: { db: "ok", redis: "ok" } });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const encoded = await encodeDeltaBatch(makeBatch({ deviceId: device.id }, manySightings(5)));
    const res = await fetch(`${running.url}/v1/ingest`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${device.token}`,
        "content-type": encoded.contentType,
        "content-encoding": encoded.contentEncoding,
      },
      body: encoded.body,
    });
    expect(res.status).toBe(202);
    const url = running.url;
    await running.close();
    running = undefined;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    const queue = createMergeQueue(cloud.workerRedis, { prefix: cloud.prefix });
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
    await queue.close();
  });
});
