import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { resolve } from "node:path";
import { createClient } from "@libsql/client";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addMergeJob, createMergeQueue } from "../queues/merge-queue.js";
import { closeRedis, createWorkerRedis } from "../queues/redis.js";
import { createDevice } from "../services/devices.js";
import { landBatch } from "../services/land-batch.js";
import { makeBatch, manySightings } from "../test-support/batches.js";
import { eventually, openTempDb, REDIS_URL } from "../test-support/test-cloud.js";

// The built CLI, as operators run it (`npm run build` first).
const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");

interface Child {
  proc: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

function start(command: "serve" | "worker", env: Record<string, string>): Child {
  expect(existsSync(MAIN), `${MAIN} is missing: build cloud-api first`).toBe(true);
  const proc = spawn(process.execPath, [MAIN, command], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((done) => proc.once("exit", (code) => done(code)));
  return { proc, stderr: () => err, exited };
}

const messages = (child: Child) =>
  child
    .stderr()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => (JSON.parse(l) as { message: string }).message);

let temp: Awaited<ReturnType<typeof openTempDb>>;
let prefix: string;
let children: Child[] = [];
let redis: Redis | undefined;
beforeEach(async () => {
  temp = await openTempDb();
  prefix = `test-${randomUUID()}`;
});
afterEach(async () => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  children = [];
  if (redis !== undefined) {
    const queue = createMergeQueue(redis, { prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await closeRedis(redis);
    redis = undefined;
  }
  temp.cleanup();
});

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PIWARDRIVE_CLOUD_DB: temp.path,
    PIWARDRIVE_QUEUE_PREFIX: prefix,
    PIWARDRIVE_METRICS: "off",
    PORT: "0",
    HOST: "127.0.0.1",
    ...extra,
  };
}

async function listening(child: Child): Promise<string> {
  return eventually(async () => /"message":"api listening","url":"([^"]+)"/.exec(child.stderr())?.[1]);
}

/** An ingest POST whose body arrives in two halves: the request stays in flight until `finish()`. */
async function slowUpload(url: string, token: string, deviceId: string) {
  const encoded = await encodeDeltaBatch(makeBatch({ deviceId }, manySightings(200)));
  const body = Buffer.from(encoded.body);
  const half = Math.floor(body.length / 2);
  const req = request(`${url}/v1/ingest`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": encoded.contentType,
      "content-encoding": encoded.contentEncoding,
      "content-length": String(body.length),
    },
  });
  const answer = new Promise<{ status: number; body: string }>((done, fail) => {
    req.once("error", fail);
    req.once("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => {
        text += c.toString("utf8");
      });
      res.once("end", () => done({ status: res.statusCode ?? 0, body: text }));
    });
  });
  req.write(body.subarray(0, half));
  return { answer, finish: () => req.end(body.subarray(half)) };
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`);
    return false;
  } catch {
    return true;
  }
}

describe("SIGTERM", { timeout: 30_000 }, () => {
  it("API: /ready turns 503 first, the listener closes, the in-flight upload gets its real 202, exit 0", async () => {
    const device = await createDevice(temp.db, { name: "pi-1" });
    const api = start("serve", baseEnv({ PIWARDRIVE_SHUTDOWN_DRAIN_MS: "500" }));
    children.push(api);
    const url = await listening(api);
    // ready once its Redis connection is up
    await eventually(async () => ((await fetch(`${url}/ready`)).status === 200 ? true : undefined));

    const upload = await slowUpload(url, device.token, device.id);
    // the handler is running once the authenticated request is waiting for the rest of its body
    await new Promise((r) => setTimeout(r, 300));
    api.proc.kill("SIGTERM");
    const draining = await eventually(async () => {
      const res = await fetch(`${url}/ready`);
      return res.status === 503 ? ((await res.json()) as { error: { code: string } }) : undefined;
    });
    expect(draining.error.code).toBe("draining");
    // after the drain delay the listener stops accepting, while the upload is still in flight
    expect(await eventually(async () => ((await refused(url)) ? true : undefined))).toBe(true);
    expect(api.proc.exitCode).toBeNull();

    upload.finish();
    const answer = await upload.answer;
    expect(answer).toEqual({ status: 202, body: JSON.stringify({ status: "accepted" }) });
    expect(await api.exited).toBe(0);
    const rows = await temp.db.execute("SELECT observation_count FROM landed_batches");
    expect(rows.rows.map((r) => r.observation_count)).toEqual([200]);
    const order = messages(api);
    expect(order.at(-1)).toBe("shutdown complete");
    expect(order.indexOf("shutting down")).toBeLessThan(order.lastIndexOf("request"));
  });

  it("API: a request that never finishes is cut at the grace bound and the exit code says so", async () => {
    const device = await createDevice(temp.db, { name: "pi-1" });
    const api = start("serve", baseEnv({ PIWARDRIVE_SHUTDOWN_GRACE_MS: "800" }));
    children.push(api);
    const url = await listening(api);
    const upload = await slowUpload(url, device.token, device.id);
    upload.answer.catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    api.proc.kill("SIGTERM");
    expect(await api.exited).toBe(1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(800);
    expect(messages(api)).toContain("shutdown took too long; exiting");
  });

  it("worker: finishes the merge job it is running, then exits 0", async () => {
    const device = await createDevice(temp.db, { name: "pi-1" });
    const worker = start(
      "worker",
      baseEnv({
        PIWARDRIVE_RECONCILE_EVERY_MS: "600000",
        PIWARDRIVE_MAINTENANCE_EVERY_MS: "600000",
        PIWARDRIVE_DB_BUSY_TIMEOUT_MS: "20000",
      }),
    );
    children.push(worker);
    // started, and its first maintenance pass (which writes) is done before the test takes the write lock
    await eventually(async () => (worker.stderr().includes("merge worker started") ? true : undefined));
    await eventually(async () =>
      worker.stderr().includes('"message":"maintenance done"') ? true : undefined,
    );

    const batch = makeBatch({ deviceId: device.id }, manySightings(50));
    const encoded = await encodeDeltaBatch(batch);
    await landBatch(temp.db, {
      batch,
      payload: encoded.body,
      contentEncoding: encoded.contentEncoding,
      receivedAt: Date.now(),
    });
    // Another connection holds the write lock, so the merge waits in its transaction: a job in flight.
    const holder = createClient({ url: `file:${temp.path}` });
    const lock = await holder.transaction("write");
    redis = createWorkerRedis(REDIS_URL, { name: "test-shutdown" });
    const queue = createMergeQueue(redis, { prefix });
    try {
      await addMergeJob(queue, { deviceId: device.id, runId: batch.runId, batchSeq: batch.batchSeq });
      await eventually(async () => ((await queue.getActiveCount()) === 1 ? true : undefined));
      worker.proc.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      expect(worker.proc.exitCode).toBeNull();
    } finally {
      await lock.rollback();
      holder.close();
      await queue.close();
    }
    expect(await worker.exited).toBe(0);
    const row = await temp.db.execute("SELECT status, inserted_count FROM landed_batches");
    expect(row.rows[0]).toMatchObject({ status: "merged", inserted_count: 50 });
    const order = messages(worker);
    expect(order).toContain("batch merged");
    expect(order.indexOf("batch merged")).toBeLessThan(order.indexOf("shutdown complete"));
  });
});
