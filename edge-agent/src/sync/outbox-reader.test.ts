import { randomBytes } from "node:crypto";
import { decodeDeltaBatch, WireError } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BatchedWriter } from "../store/batched-writer.js";
import type { EdgeStore } from "../store/edge-store.js";
import { writeRun } from "../test-support/sync-kit.js";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import { type OutboxOptions, OutboxReader, type ReadyBatch } from "./outbox-reader.js";
import { SyncLedger } from "./sync-ledger.js";

let store: EdgeStore;
let cleanup: () => void;
let ledger: SyncLedger;
beforeEach(async () => {
  ({ store, cleanup } = await openTempStore());
  ledger = new SyncLedger(store, "http://cloud");
});
afterEach(() => cleanup());

const reader = (options: Partial<OutboxOptions> = {}) =>
  new OutboxReader(store, ledger, { deviceId: "dev-1", maxRows: 50, ...options });
const decode = (ready: ReadyBatch) => decodeDeltaBatch(ready.encoded.body, ready.encoded.contentEncoding);

async function planAll(r: OutboxReader): Promise<ReadyBatch[]> {
  const out: ReadyBatch[] = [];
  for (let next = await r.next(true); next; next = await r.next(true)) out.push(next);
  return out;
}

describe("OutboxReader", () => {
  it("cuts the backlog by count and by run, in seq order, each batch one run", async () => {
    const a = await writeRun(store, 120);
    const b = await writeRun(store, 30);
    const batches = await planAll(reader());
    expect(batches.map((x) => [x.plan.batchSeq, x.plan.runId, x.plan.firstSeq, x.plan.lastSeq])).toEqual([
      [1, a, 1, 50],
      [2, a, 51, 100],
      [3, a, 101, 120],
      [4, b, 121, 150],
    ]);
    const third = await decode(batches[2] as ReadyBatch);
    expect(third.observations.map((o) => o.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
    expect(third.observations[0]).toMatchObject({ ...sampleObservation(100, 40), seq: 101 });
    expect(await reader().backlog()).toBe(150);
  });

  it("persists each plan, and reloading it yields the same batch", async () => {
    await writeRun(store, 60);
    const [first] = await planAll(reader());
    expect((await ledger.plans()).map((p) => [p.batchSeq, p.firstSeq, p.lastSeq, p.ackedAt])).toEqual([
      [1, 1, 50, null],
      [2, 51, 60, null],
    ]);
    const again = await reader().load((await ledger.plans())[0]!);
    expect(await decode(again)).toEqual(await decode(first as ReadyBatch));
    expect((await ledger.state()).nextBatchSeq).toBe(3);
  });

  it("commits a plan in one script under synchronous=FULL, then restores the tuned setting", async () => {
    await writeRun(store, 5);
    const scripts: string[] = [];
    const executeScript = store.executeScript.bind(store);
    store.executeScript = (sql) => {
      scripts.push(sql.replace(/\s+/g, " "));
      return executeScript(sql);
    };
    await reader().next(true);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(
      /^PRAGMA synchronous=FULL; BEGIN IMMEDIATE; INSERT OR IGNORE INTO sync_batches .* COMMIT; PRAGMA synchronous=NORMAL;$/,
    );
    const rs = await store.execute("PRAGMA synchronous");
    expect(Number(rs.rows[0]?.[0])).toBe(1); // NORMAL
  });

  it("does not take over a batch_seq another process planned first", async () => {
    await ledger.state();
    const plan = {
      batchSeq: 1,
      runId: "r",
      firstSeq: 1,
      lastSeq: 9,
      observationCount: 9,
      fixAfterId: 0,
      fixLastId: 0,
      healthAfterId: 0,
      healthLastId: 0,
    };
    expect(await ledger.commitPlan(plan)).toBe(true);
    expect(await ledger.commitPlan({ ...plan, lastSeq: 20 })).toBe(false);
    expect((await ledger.plans()).map((p) => p.lastSeq)).toEqual([9]);
    expect((await ledger.state()).nextBatchSeq).toBe(2);
  });

  it("halves a batch until its compressed body fits maxBytes", async () => {
    const writer = new BatchedWriter(store);
    await writer.write(
      Array.from({ length: 200 }, (_, i) =>
        sampleObservation(i, 40, { ssid: randomBytes(30).toString("hex") }),
      ),
    );
    await writer.close();
    const batches = await planAll(reader({ maxRows: 200, maxBytes: 3_000 }));
    expect(batches.length).toBeGreaterThan(2);
    for (const x of batches) expect(x.encoded.body.byteLength).toBeLessThanOrEqual(3_000);
    expect(batches.reduce((n, x) => n + x.plan.observationCount, 0)).toBe(200);
  });

  it("lets a young partial batch wait for more rows unless flushing", async () => {
    let now = 1_000_000;
    const r = reader({ maxAgeMs: 30_000, now: () => now });
    await writeRun(store, 10);
    expect(await r.next(false)).toBeNull();
    now += 29_999;
    expect(await r.next(false)).toBeNull();
    now += 1;
    expect((await r.next(false))?.plan.observationCount).toBe(10);
    await writeRun(store, 50); // a full batch does not wait
    expect((await r.next(false))?.plan.observationCount).toBe(50);
    await writeRun(store, 3);
    expect((await r.next(true))?.plan.observationCount).toBe(3);
  });

  it("carries GPS fixes and health samples recorded since the previous batch, once", async () => {
    const writer = new BatchedWriter(store);
    const fix = (t: number) => ({
      fixedAt: t,
      lat: -33.9,
      lon: 151.2,
      altitudeM: 40,
      mode: 3,
      accuracyM: 5,
      hdop: 1,
      speedMps: 10,
      trackDeg: 90,
      source: "gpsd",
    });
    writer.writeFixes([fix(1), fix(2)]);
    await writer.write(sampleObservation(1));
    await writer.close();
    await store.execute(`INSERT INTO health_samples (sampled_at, rss_mb, guards) VALUES (5, 61.5, '{}')`);
    const first = await decode((await reader().next(true)) as ReadyBatch);
    expect(first.gpsTrack.map((f) => f.fixedAt)).toEqual([1, 2]);
    expect(first.health).toEqual([
      {
        sampledAt: 5,
        rssMb: 61.5,
        availableMemMb: null,
        diskFreeMb: null,
        socTempC: null,
        eventLoopLagMs: null,
        writerQueueDepth: null,
      },
    ]);
    const later = new BatchedWriter(store);
    later.writeFixes([fix(3)]);
    await later.write(sampleObservation(2));
    await later.close();
    const second = await decode((await reader().next(true)) as ReadyBatch);
    expect(second.gpsTrack.map((f) => f.fixedAt)).toEqual([3]);
    expect(second.health).toEqual([]);
  });

  it("sends the guard states of a sample as the guards recorded them, and none when the row has none", async () => {
    await writeRun(store, 1);
    const recorded = {
      memory: { level: "moderate", reason: "rss 80.0 MB >= moderate 75.0 MB" },
      disk: { belowFloor: false, reason: "free 900.0 MB above the floor" },
      heat: { hot: true, reason: "soc 82.0 °C >= 80.0 °C" },
      lag: { lagging: false, reason: "p99 12 ms" },
      scanIntervalMultiplier: 2,
      actions: [],
      lastError: null,
      writer: { queued: 0 },
    };
    await store.execute({
      sql: "INSERT INTO health_samples (sampled_at, soc_temp_c, guards) VALUES (7, 82, ?), (8, 60, '{}')",
      args: [JSON.stringify(recorded)],
    });
    const batch = await decode((await reader().next(true)) as ReadyBatch);
    expect(batch.health[0]?.guards).toEqual({
      memory: "moderate",
      diskBelowFloor: false,
      hot: true,
      lagging: false,
      scanIntervalMultiplier: 2,
    });
    expect(batch.health[1]).not.toHaveProperty("guards");
  });

  it("refuses rows that are not valid for the wire instead of skipping them", async () => {
    await writeRun(store, 3);
    await store.execute("UPDATE observations SET rssi_dbm = 500 WHERE seq = 2");
    const error = await reader()
      .next(true)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireError);
    expect((error as WireError).message).toContain("observations.1.rssiDbm");
    expect(await ledger.plans()).toEqual([]);
  });
});
