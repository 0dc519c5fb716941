import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addMergeJob, mergeJobId } from "../queues/merge-queue.js";
import { createDevice } from "../services/devices.js";
import { makeBatch, manySightings, postBatch } from "../test-support/batches.js";
import { countRows } from "../test-support/expect-error.js";
import { eventually, openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { type MergeWorker, startMergeWorker } from "./merge-worker.js";
import { reconcileLandedBatches } from "./reconciler.js";

let cloud: TestCloud;
let merge: MergeWorker | undefined;
let device: { id: string; token: string };
beforeEach(async () => {
  cloud = await openTestCloud();
  device = await createDevice(cloud.db, { name: "pi-1" });
});
afterEach(async () => {
  await merge?.close();
  merge = undefined;
  await cloud.cleanup();
});

const start = async () => {
  merge = await startMergeWorker({
    db: cloud.db,
    connection: cloud.workerRedis,
    location: { prefix: cloud.prefix },
    logger: cloud.logger,
    reconcileEveryMs: 60_000,
  });
  return merge;
};

const statusOf = async (batchSeq: number) =>
  (
    await cloud.db.execute({
      sql: "SELECT status, inserted_count, error FROM landed_batches WHERE batch_seq = ?",
      args: [batchSeq],
    })
  ).rows[0];

const mergedStatus = (batchSeq: number) =>
  eventually(async () => {
    const row = await statusOf(batchSeq);
    return row?.status === "landed" ? undefined : row;
  });

describe("merge worker", () => {
  it("merges what the API landed, from the job's key alone", async () => {
    await postBatch(
      cloud.app,
      device.token,
      makeBatch({ deviceId: device.id, batchSeq: 0 }, manySightings(30)),
    );
    await postBatch(
      cloud.app,
      device.token,
      makeBatch({ deviceId: device.id, batchSeq: 1 }, manySightings(20, 31)),
    );
    await start();
    expect(await mergedStatus(0)).toMatchObject({ status: "merged", inserted_count: 30 });
    expect(await mergedStatus(1)).toMatchObject({ status: "merged", inserted_count: 20 });
    expect(await countRows(cloud.db, "observations")).toBe(50);
    expect(await countRows(cloud.db, "networks")).toBe(5);
    const id = mergeJobId({ deviceId: device.id, runId: "run-1", batchSeq: 0 });
    const job = await eventually(async () => {
      const j = await cloud.queue.getJob(id);
      return (await j?.isCompleted()) ? j : undefined;
    });
    expect(job.returnvalue).toMatchObject({ status: "merged", insertedCount: 30 });
  });

  it("fails a poison batch once, without retries, and records the reason on the row", async () => {
    await cloud.db.execute({
      sql: `INSERT INTO landed_batches (device_id, run_id, batch_seq, status, first_seq, last_seq,
        observation_count, payload, content_encoding, received_at) VALUES (?, 'run-1', 7, 'landed', 1, 1, 1, ?, 'br', 0)`,
      args: [device.id, new Uint8Array([9, 9, 9, 9, 9, 9])],
    });
    const key = { deviceId: device.id, runId: "run-1", batchSeq: 7 };
    await addMergeJob(cloud.queue, key);
    await start();
    const row = await mergedStatus(7);
    expect(row).toMatchObject({ status: "failed" });
    expect(String(row.error)).toMatch(/^bad_compression: /);
    const job = await eventually(async () => {
      const j = await cloud.queue.getJob(mergeJobId(key));
      return (await j?.isFailed()) ? j : undefined;
    });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/poison_batch/);
  });
});

describe("reconciler", () => {
  it("re-enqueues landed-but-unmerged batches after Redis lost every job", async () => {
    for (const batchSeq of [0, 1, 2]) {
      await postBatch(
        cloud.app,
        device.token,
        makeBatch({ deviceId: device.id, batchSeq }, manySightings(4)),
      );
    }
    expect(await cloud.queue.getJobCounts("waiting")).toEqual({ waiting: 3 });
    await cloud.queue.obliterate({ force: true });
    expect(await cloud.queue.getJobCounts("waiting")).toEqual({ waiting: 0 });

    expect(await reconcileLandedBatches({ db: cloud.db, queue: cloud.queue })).toEqual({
      scanned: 3,
      enqueued: 3,
      actions: { added: 3, retried: 0, replaced: 0 },
    });
    // a second pass adds nothing: every batch has a live job
    expect(await reconcileLandedBatches({ db: cloud.db, queue: cloud.queue })).toEqual({
      scanned: 3,
      enqueued: 0,
      actions: { added: 0, retried: 0, replaced: 0 },
    });
    await start();
    for (const batchSeq of [0, 1, 2])
      expect(await mergedStatus(batchSeq)).toMatchObject({ status: "merged" });
  });

  it("runs at worker start, and replaces a completed job whose batch still reads landed", async () => {
    await postBatch(cloud.app, device.token, makeBatch({ deviceId: device.id }, manySightings(4)));
    await cloud.queue.obliterate({ force: true });
    const worker = await start(); // the start-up pass finds the landed batch
    expect(await mergedStatus(0)).toMatchObject({ status: "merged", inserted_count: 4 });
    await cloud.db.execute("UPDATE landed_batches SET status = 'landed'");
    const job = await cloud.queue.getJob(mergeJobId({ deviceId: device.id, runId: "run-1", batchSeq: 0 }));
    expect(await job?.getState()).toBe("completed");
    expect(await worker.reconciler.runOnce()).toEqual({
      scanned: 1,
      enqueued: 1,
      actions: { added: 0, retried: 0, replaced: 1 },
    });
    expect(await mergedStatus(0)).toMatchObject({ status: "merged" });
  });
});
