import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { makeBatch, manySightings, postBatch } from "../test-support/batches.js";
import { expectError } from "../test-support/expect-error.js";
import { eventually, openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { type MergeWorker, startMergeWorker } from "../workers/merge-worker.js";
import type { PipelineView } from "./pipeline-view.js";

let cloud: TestCloud;
let merge: MergeWorker | undefined;
let auth: string;
beforeEach(async () => {
  cloud = await openTestCloud();
  auth = `Bearer ${(await createApiKey(cloud.db, { role: "operator" })).key}`;
});
afterEach(async () => {
  await merge?.close();
  merge = undefined;
  await cloud.cleanup();
});

const view = async (): Promise<PipelineView> => {
  const res = await cloud.app.request("/v1/ops/pipeline", { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  return (await res.json()) as PipelineView;
};
const retry = (device: string, run: string, seq: string | number) =>
  cloud.app.request(`/v1/ops/batches/${device}/${run}/${seq}/retry`, {
    method: "POST",
    headers: { authorization: auth },
  });
const statusOf = async (batchSeq: number) =>
  (await cloud.db.execute({ sql: "SELECT status FROM landed_batches WHERE batch_seq = ?", args: [batchSeq] }))
    .rows[0]?.status;

describe("GET /v1/ops/pipeline", () => {
  it("computes merge rate and lag percentiles over 5 and 60 minutes from landed_batches", async () => {
    const now = 1_750_000_000_000;
    cloud.deps.now = () => now;
    cloud.app = createApp(cloud.deps);
    const rows: Array<[number, number, number, string]> = [];
    // 20 batches merged in the last 5 minutes with lags of 1..20 s, 10 more 30 minutes ago with 100 s
    for (let i = 1; i <= 20; i++) rows.push([i, now - 60_000 - i * 1000, now - 60_000, "merged"]);
    for (let i = 21; i <= 30; i++) rows.push([i, now - 30 * 60_000 - 100_000, now - 30 * 60_000, "merged"]);
    rows.push([31, now - 7000, 0, "landed"], [32, now - 3000, 0, "landed"]);
    rows.push([33, now - 9000, now - 8000, "failed"]);
    for (const [seq, received, merged, status] of rows) {
      await cloud.db.execute({
        sql: `INSERT INTO landed_batches (device_id, run_id, batch_seq, status, first_seq, last_seq,
          observation_count, payload, received_at, merged_at, inserted_count, error)
          VALUES ('dev-x', 'run-x', ?, ?, 1, 10, 10, x'00', ?, ?, ?, ?)`,
        args: [
          seq,
          status,
          received,
          status === "landed" ? null : merged,
          status === "merged" ? 10 : null,
          status === "failed" ? "invalid_batch: obs.tx has 2 rows, expected 3" : null,
        ],
      });
    }
    const v = await view();
    expect(v.merge.last5m).toEqual({
      minutes: 5,
      batches: 20,
      sightings: 200,
      batchesPerMinute: 4,
      sightingsPerSecond: 200 / 300,
      lagMs: { p50: 10_000, p95: 19_000, max: 20_000 },
    });
    expect(v.merge.last60m).toMatchObject({
      batches: 30,
      lagMs: { p50: 15_000, p95: 100_000, max: 100_000 },
    });
    expect(v.unmerged).toEqual({
      batches: 2,
      oldestReceivedAt: new Date(now - 7000).toISOString(),
      oldestAgeMs: 7000,
    });
    expect(v.failed).toEqual({
      batches: 1,
      latest: [
        {
          deviceId: "dev-x",
          runId: "run-x",
          batchSeq: 33,
          receivedAt: new Date(now - 9000).toISOString(),
          failedAt: new Date(now - 8000).toISOString(),
          observations: 10,
          reason: "invalid_batch: obs.tx has 2 rows, expected 3",
        },
      ],
    });
  });

  it("shows queue counts and reconciler actions; a failed batch retried after a fix merges", async () => {
    const pi = await createDevice(cloud.db, { name: "pi" });
    const good = makeBatch({ deviceId: pi.id, batchSeq: 0 }, manySightings(5));
    await postBatch(cloud.app, pi.token, good);
    // a batch whose stored payload cannot be decoded (say, a decoder bug): it fails
    const broken = makeBatch({ deviceId: pi.id, batchSeq: 1 }, manySightings(4, 6));
    await postBatch(cloud.app, pi.token, broken);
    await cloud.db.execute("UPDATE landed_batches SET payload = x'1f8b00' WHERE batch_seq = 1");
    merge = await startMergeWorker({
      db: cloud.db,
      connection: cloud.workerRedis,
      location: { prefix: cloud.prefix },
      logger: cloud.logger,
      reconcileEveryMs: 60_000,
    });
    await eventually(
      async () => ((await statusOf(1)) === "failed" && (await statusOf(0)) === "merged") || undefined,
    );
    const before = await eventually(async () => {
      const v = await view();
      return v.reconciler?.passes === 1 ? v : undefined;
    });
    expect(before.queues).toEqual([
      {
        name: "{merge}",
        counts: expect.objectContaining({ completed: 1, failed: 1, waiting: 0, active: 0 }),
      },
    ]);
    expect(before.queuesError).toBeNull();
    // its start-up pass found the batches with live jobs: nothing to add
    expect(before.reconciler).toMatchObject({ passes: 1, added: 0, retried: 0, replaced: 0 });
    expect(before.reconciler?.lastPassAt).toBeGreaterThan(0);
    expect(before.failed.latest.map((f) => [f.batchSeq, f.reason])).toEqual([
      [1, expect.stringMatching(/^bad_compression: corrupt gzip data/)],
    ]);

    await expectError(await retry(pi.id, "run-1", 0), 409, "not_failed");
    await expectError(await retry(pi.id, "run-1", 9), 404, "not_found");
    await expectError(await retry(pi.id, "run-1", "x1"), 400, "invalid_argument");
    // the fix: the payload is readable again
    const encoded = await encodeDeltaBatch(broken);
    await cloud.db.execute({
      sql: "UPDATE landed_batches SET payload = ? WHERE batch_seq = 1",
      args: [encoded.body],
    });
    const res = await retry(pi.id, "run-1", 1);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      deviceId: pi.id,
      runId: "run-1",
      batchSeq: 1,
      status: "requeued",
      job: "retried",
    });
    await eventually(async () => (await statusOf(1)) === "merged" || undefined);
    const after = await view();
    expect(after.failed).toEqual({ batches: 0, latest: [] });
    expect(after.merge.last5m.sightings).toBe(9);
    await expectError(await retry(pi.id, "run-1", 1), 409, "not_failed");

    // bull-board keeps working beside it
    const board = await cloud.app.request("/admin/queues/api/queues", { headers: { authorization: auth } });
    expect(board.status).toBe(200);
    const queues = (await board.json()) as { queues: { name: string; counts: { completed: number } }[] };
    expect(queues.queues.map((q) => [q.name, q.counts.completed])).toEqual([["{merge}", 2]]);
  });

  it("needs an operator key", async () => {
    const analyst = (await createApiKey(cloud.db, { role: "analyst" })).key;
    const res = await cloud.app.request("/v1/ops/pipeline", {
      headers: { authorization: `Bearer ${analyst}` },
    });
    await expectError(res, 403, "forbidden");
    await expectError(
      await cloud.app.request("/v1/ops/batches/a/b/1/retry", { method: "POST" }),
      401,
      "unauthorized",
    );
  });
});
