import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { memoryLogger } from "../logger.js";
import { closeRedis, createWorkerRedis } from "../queues/redis.js";
import { createDevice } from "../services/devices.js";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, manySightings } from "../test-support/batches.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { eventually, openTempDb, REDIS_URL } from "../test-support/test-cloud.js";
import {
  lastMaintenanceRun,
  MAINTENANCE_SCHEDULER_ID,
  runAndRecordMaintenance,
  startMaintenance,
} from "./maintenance-job.js";
import { runMaintenance } from "./run-maintenance.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

let temp: Awaited<ReturnType<typeof openTempDb>>;
let deviceId: string;
beforeEach(async () => {
  temp = await openTempDb();
  deviceId = (await createDevice(temp.db, { name: "pi-1" })).id;
});
afterEach(() => temp.cleanup());

const options = (extra: Partial<Parameters<typeof runMaintenance>[0]> = {}) => ({
  db: temp.db,
  dbPath: temp.path,
  payloadRetentionDays: 7,
  vacuumFreePercent: 25,
  now: NOW,
  ...extra,
});

async function land(batchSeq: number, receivedAt: number) {
  const batch = makeBatch({ deviceId, batchSeq }, manySightings(40, batchSeq * 40 + 1));
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(temp.db, { batch, payload: encoded.body, contentEncoding: "gzip", receivedAt });
  return { batch, encoded, key: { deviceId, runId: batch.runId, batchSeq } };
}

const rows = async () =>
  (
    await temp.db.execute(
      "SELECT batch_seq, status, length(payload) AS bytes, payload_dropped_at FROM landed_batches ORDER BY batch_seq",
    )
  ).rows.map((r) => ({ ...r }));

describe("payload retention", () => {
  it("empties only merged payloads older than N days; the batch stays idempotent without it", async () => {
    const old = await land(0, NOW - 10 * DAY);
    await mergeBatch({ db: temp.db, key: old.key, now: () => NOW - 10 * DAY });
    const recent = await land(1, NOW - 2 * DAY);
    await mergeBatch({ db: temp.db, key: recent.key });
    await land(2, NOW - 10 * DAY); // old but never merged: the merge still needs it
    await temp.db.execute({
      sql: "UPDATE landed_batches SET status = 'failed' WHERE batch_seq = ?",
      args: [2],
    });
    await land(3, NOW - 10 * DAY);
    const observations = async () =>
      (await temp.db.execute("SELECT count(*) AS n FROM observations")).rows[0]?.n;
    const before = await observations();

    const result = await runMaintenance(options({ retentionChunk: 1 }));
    expect(result.retention).toMatchObject({ payloadsDropped: 1, cutoff: NOW - 7 * DAY });
    expect(result.retention.bytesDropped).toBe(old.encoded.body.length);
    expect(await rows()).toEqual([
      { batch_seq: 0, status: "merged", bytes: 0, payload_dropped_at: NOW },
      { batch_seq: 1, status: "merged", bytes: recent.encoded.body.length, payload_dropped_at: null },
      { batch_seq: 2, status: "failed", bytes: expect.any(Number), payload_dropped_at: null },
      { batch_seq: 3, status: "landed", bytes: expect.any(Number), payload_dropped_at: null },
    ]);
    expect((await rows())[3]?.bytes).toBeGreaterThan(0);

    // a resend is still a duplicate, a replayed job still changes nothing, the landed one still merges
    const again = await landBatch(temp.db, {
      batch: old.batch,
      payload: old.encoded.body,
      contentEncoding: "gzip",
      receivedAt: NOW,
    });
    expect(again).toMatchObject({ status: "duplicate", stored: "merged" });
    expect(await mergeBatch({ db: temp.db, key: old.key })).toEqual({
      status: "already_merged",
      insertedCount: 40,
    });
    expect(await observations()).toBe(before);
    expect((await mergeBatch({ db: temp.db, key: { deviceId, runId: "run-1", batchSeq: 3 } })).status).toBe(
      "merged",
    );

    // age counts from landing: the old batch merged just now goes on the next pass, then nothing is left
    expect((await runMaintenance(options())).retention.payloadsDropped).toBe(1);
    expect((await runMaintenance(options())).retention.payloadsDropped).toBe(0);
  });
});

describe("optimize, checkpoint and vacuum", () => {
  it("checkpoints the WAL passively and reports it", async () => {
    await landAndMerge(temp.db, { deviceId }, manySightings(500));
    const result = await runMaintenance(options());
    expect(result.optimize.ms).toBeGreaterThanOrEqual(0);
    expect(result.checkpoint).toMatchObject({ mode: "PASSIVE", busy: 0 });
    if (result.checkpoint.mode !== "PASSIVE") throw new Error("not checkpointed");
    expect(result.checkpoint.walFrames).toBeGreaterThan(0);
    expect(result.checkpoint.checkpointedFrames).toBe(result.checkpoint.walFrames);
    expect(result.checkpoint.walBytesBefore).toBeGreaterThan(0);
    expect(result.vacuum).toMatchObject({ ran: false, reason: "below the threshold" });
  });

  it("vacuums once free pages pass the threshold, and the file shrinks", async () => {
    // ~4 MB of rows, then deleted: their pages go to the freelist
    await temp.db.execute(
      "CREATE TABLE filler AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000) SELECT x, randomblob(1000) AS b FROM c",
    );
    await temp.db.execute("DROP TABLE filler");
    await temp.db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    const sizeBefore = statSync(temp.path).size;
    const result = await runMaintenance(options());
    expect(result.vacuum.ran).toBe(true);
    expect(result.vacuum.freePagesBefore * result.vacuum.pageSize).toBeGreaterThan(3_000_000);
    expect(result.vacuum.freePercent).toBeGreaterThanOrEqual(25);
    expect(result.vacuum.freePagesAfter).toBe(0);
    await temp.db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    expect(statSync(temp.path).size).toBeLessThan(sizeBefore - 3_000_000);
  });
});

describe("the {maintenance} job", () => {
  it("records each run (doctor reads the last one) and keeps failures visible", async () => {
    const logger = memoryLogger();
    const run = await runAndRecordMaintenance(
      options({ slowStatements: () => [{ statement: "SELECT ?" } as never] }),
      logger,
    );
    expect(run.status).toBe("ok");
    expect(await lastMaintenanceRun(temp.db)).toEqual(JSON.parse(JSON.stringify(run)));
    expect(logger.entries.find((e) => e.message === "maintenance done")?.fields).toMatchObject({
      payloadsDropped: 0,
      vacuumed: false,
    });
    const closed = await openTempDb();
    closed.db.close();
    await expect(runAndRecordMaintenance({ ...options(), db: closed.db }, logger)).rejects.toThrow();
    closed.cleanup();
  });

  it("runs on its BullMQ job scheduler in the worker", async () => {
    const prefix = `test-${randomUUID()}`;
    const redis = createWorkerRedis(REDIS_URL, { name: "test-maintenance" });
    const logger = memoryLogger();
    const job = await startMaintenance({
      connection: redis,
      location: { prefix },
      logger,
      everyMs: 300,
      options: { db: temp.db, dbPath: temp.path, payloadRetentionDays: 7, vacuumFreePercent: 25 },
    });
    try {
      const schedulers = await job.queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toEqual([MAINTENANCE_SCHEDULER_ID]);
      expect(job.queue.name).toBe("{maintenance}");
      const run = await eventually(() => lastMaintenanceRun(temp.db));
      expect(run.status).toBe("ok");
      // the schedule repeats
      await eventually(async () => {
        const n = (await temp.db.execute("SELECT count(*) AS n FROM maintenance_runs")).rows[0]?.n;
        return Number(n) >= 2 ? true : undefined;
      });
    } finally {
      await job.worker.close();
      await job.queue.obliterate({ force: true });
      await job.close();
      await closeRedis(redis);
    }
  });
});
