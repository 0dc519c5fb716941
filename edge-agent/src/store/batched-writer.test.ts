import { createClient } from "@libsql/client";
import { OBSERVATION_SQL_COLUMNS, observationValues } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import { BatchedWriter, type FlushResult, flushOnSignals } from "./batched-writer.js";
import { EdgeStore } from "./edge-store.js";
import { networkStats } from "./hot-queries.js";
import { rollUpNetworks } from "./network-rollup.js";
import { tuningFor } from "./tuning.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function temp() {
  const t = await openTempStore();
  cleanups.push(t.cleanup);
  return t;
}

async function count(store: EdgeStore, table: string): Promise<number> {
  const rs = await store.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(rs.rows[0]?.n);
}

describe("BatchedWriter", () => {
  it("flushes by size: one transaction per full batch, consecutive seq ranges", async () => {
    const { store } = await temp();
    const flushes: FlushResult[] = [];
    const writer = new BatchedWriter(store, {
      maxBatchRows: 1000,
      maxBatchAgeMs: 60_000,
      onFlush: (r) => flushes.push(r),
    });
    await writer.write(Array.from({ length: 2500 }, (_, i) => sampleObservation(i)));
    await writer.flush();
    expect(flushes.map((f) => f.observations)).toEqual([1000, 1000, 500]);
    expect(flushes.map((f) => [f.firstSeq, f.lastSeq])).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2500],
    ]);
    expect(await count(store, "observations")).toBe(2500);
  });

  it("stores every row's own values and the writer's run id, whatever statement shape carried it", async () => {
    const { store } = await temp();
    const writer = new BatchedWriter(store, { maxBatchRows: 1000, maxBatchAgeMs: 60_000 });
    // 123 rows go as statements of 100, 10, 10, 1, 1 and 1 rows.
    const rows = Array.from({ length: 123 }, (_, i) =>
      sampleObservation(i, 123, {
        capabilities: i % 2 === 0 ? `[WPA2-PSK-CCMP][ESS]${i}` : null,
        altitudeM: i,
      }),
    );
    const fixes = Array.from({ length: 12 }, (_, i) => ({
      fixedAt: 1_750_000_000_000 + i * 1000,
      lat: 50 + i / 1000,
      lon: 14 - i / 1000,
      altitudeM: 300 + i,
      mode: 3,
      accuracyM: i,
      hdop: null,
      speedMps: i / 2,
      trackDeg: null,
      source: `gpsd-${i}`,
    }));
    await writer.write(rows);
    writer.writeFixes(fixes);
    await writer.flush();
    const stored = await store.execute(
      `SELECT run_id, ${OBSERVATION_SQL_COLUMNS.join(", ")} FROM observations ORDER BY seq`,
    );
    expect(stored.rows.map((r) => Array.from({ length: r.length }, (_, i) => r[i]))).toEqual(
      rows.map((o) => [writer.runId, ...observationValues(o)]),
    );
    const storedFixes = await store.execute(
      "SELECT run_id, fixed_at, lat, lon, altitude_m, accuracy_m, speed_mps, source FROM gps_fixes ORDER BY fixed_at",
    );
    expect(storedFixes.rows.map((r) => Array.from({ length: r.length }, (_, i) => r[i]))).toEqual(
      fixes.map((f) => [
        writer.runId,
        f.fixedAt,
        f.lat,
        f.lon,
        f.altitudeM,
        f.accuracyM,
        f.speedMps,
        f.source,
      ]),
    );
  });

  it("records slow flushes with their plans and goes on committing without a failed flush", async () => {
    const t = await openTempStore({ slowQueryMs: 0.000001 });
    cleanups.push(t.cleanup);
    const writer = new BatchedWriter(t.store, { maxBatchRows: 100, maxBatchAgeMs: 60_000 });
    await writer.write(Array.from({ length: 500 }, (_, i) => sampleObservation(i)));
    await writer.flush();
    expect(writer.stats).toMatchObject({ flushes: 5, failedFlushes: 0, lastError: null });
    expect(await count(t.store, "observations")).toBe(500);
    const slow = await t.store.execute("SELECT sql, plan FROM slow_queries WHERE sql LIKE '%-- batch of%'");
    expect(slow.rows.length).toBeGreaterThanOrEqual(5);
    expect(String(slow.rows[0]?.plan)).toMatch(/SCAN 100 CONSTANT ROWS/);
  });

  it("flushes a partial batch once it is old enough, without an explicit flush", async () => {
    const { store } = await temp();
    const writer = new BatchedWriter(store, { maxBatchRows: 1000, maxBatchAgeMs: 30 });
    await writer.write([sampleObservation(1), sampleObservation(2), sampleObservation(3)]);
    expect(await count(store, "observations")).toBe(0);
    await new Promise((r) => setTimeout(r, 150));
    expect(await count(store, "observations")).toBe(3);
    expect(writer.stats.committedObservations).toBe(3);
  });

  it("keeps networks equal to the rollup of every row, however rows are split into batches", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            i: fc.nat(10_000),
            rssi: fc.option(fc.integer({ min: -100, max: -20 }), { nil: null }),
            hidden: fc.boolean(),
          }),
          {
            minLength: 1,
            maxLength: 120,
          },
        ),
        fc.integer({ min: 1, max: 40 }),
        async (specs, batchRows) => {
          const { store, cleanup } = await openTempStore();
          try {
            const rows = specs.map((s, k) =>
              sampleObservation(s.i, 7, {
                rssiDbm: s.rssi,
                seenAt: 1_700_000_000_000 + k,
                ssid: s.hidden ? null : `n${s.i % 3}`,
              }),
            );
            const writer = new BatchedWriter(store, { maxBatchRows: batchRows, maxBatchAgeMs: 60_000 });
            await writer.write(rows);
            await writer.flush();
            const expected = rollUpNetworks(rows).sort((a, b) => a.mac.localeCompare(b.mac));
            const rs = await store.execute(
              "SELECT mac, ssid, first_seen, last_seen, observation_count, best_rssi_dbm, weight_sum, lat FROM networks ORDER BY mac",
            );
            expect(rs.rows.length).toBe(expected.length);
            rs.rows.forEach((row, k) => {
              const e = expected[k]!;
              expect(row.mac).toBe(e.mac);
              expect(row.ssid).toBe(e.ssid);
              expect(row.first_seen).toBe(e.firstSeen);
              expect(row.last_seen).toBe(e.lastSeen);
              expect(row.observation_count).toBe(e.count);
              expect(row.best_rssi_dbm).toBe(e.bestRssi);
              expect(Number(row.weight_sum)).toBeCloseTo(e.weightSum, 12);
              expect(Number(row.lat)).toBeCloseTo(e.weightedLatSum / e.weightSum, 9);
            });
            // Per-network statistics come from that row, and agree with the sightings themselves.
            for (const e of expected) {
              const seen = rows.filter((o) => o.mac === e.mac);
              const rssis = seen.flatMap((o) => (o.rssiDbm === null ? [] : [o.rssiDbm]));
              const stats = (await store.execute(networkStats(e.mac))).rows[0];
              expect({ ...stats }).toEqual({
                observations: seen.length,
                first_seen: Math.min(...seen.map((o) => o.seenAt)),
                last_seen: Math.max(...seen.map((o) => o.seenAt)),
                best_rssi_dbm: rssis.length > 0 ? Math.max(...rssis) : null,
                mean_rssi_dbm: rssis.length > 0 ? rssis.reduce((a, b) => a + b, 0) / rssis.length : null,
              });
            }
          } finally {
            cleanup();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("makes producers wait when the queue is full, and loses nothing", async () => {
    const { store } = await temp();
    let maxQueued = 0;
    const writer = new BatchedWriter(store, {
      maxBatchRows: 50,
      maxQueueRows: 100,
      maxBatchAgeMs: 5,
      onFlush: () => {
        maxQueued = Math.max(maxQueued, writer.stats.queued);
      },
    });
    const producers = Array.from({ length: 8 }, async (_, p) => {
      for (let k = 0; k < 20; k++) {
        await writer.write(Array.from({ length: 10 }, (_, j) => sampleObservation(p * 1000 + k * 10 + j)));
      }
    });
    await Promise.all(producers);
    await writer.flush();
    expect(await count(store, "observations")).toBe(8 * 20 * 10);
    expect(maxQueued).toBeLessThanOrEqual(100);
  });

  it("retries a flush that failed on a locked database and never drops its rows", async () => {
    const t = await temp();
    t.store.close();
    const store = await EdgeStore.open({ path: t.path, tuning: tuningFor("medium", { busyTimeoutMs: 20 }) });
    cleanups.push(() => store.close());
    const blocker = createClient({ url: `file:${t.path}` });
    const lock = await blocker.transaction("write");
    await lock.execute("INSERT INTO sync_state (target, updated_at) VALUES ('lock', 1)");
    const errors: unknown[] = [];
    const writer = new BatchedWriter(store, {
      maxBatchAgeMs: 1,
      retryBaseMs: 10,
      onError: (e) => errors.push(e),
    });
    await writer.write(Array.from({ length: 10 }, (_, i) => sampleObservation(i)));
    while (errors.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(await count(store, "observations")).toBe(0);
    await lock.rollback();
    blocker.close();
    await writer.flush();
    expect(await count(store, "observations")).toBe(10);
    expect(writer.stats.failedFlushes).toBeGreaterThanOrEqual(2);
    expect(writer.stats.lastError).toMatch(/locked|busy/i);
  });

  it("refuses and counts new observations while a refusal is set", async () => {
    const { store } = await temp();
    const writer = new BatchedWriter(store);
    writer.setRefusal("disk_floor");
    expect(await writer.write([sampleObservation(1), sampleObservation(2)])).toBe(0);
    writer.setRefusal(null);
    expect(await writer.write(sampleObservation(3))).toBe(1);
    await writer.flush();
    expect(writer.stats.refused).toEqual({ disk_floor: 2 });
    expect(await count(store, "observations")).toBe(1);
  });

  it("stores GPS fixes in the same flush and ignores a repeated epoch", async () => {
    const { store } = await temp();
    const writer = new BatchedWriter(store);
    const fix = {
      fixedAt: 1_750_000_000_000,
      lat: 50.1,
      lon: 14.4,
      altitudeM: 300,
      mode: 3,
      accuracyM: 4,
      hdop: null,
      speedMps: 0,
      trackDeg: null,
      source: "gpsd",
    };
    writer.writeFixes([fix, fix, { ...fix, fixedAt: fix.fixedAt + 1000 }]);
    await writer.flush();
    expect(await count(store, "gps_fixes")).toBe(2);
  });

  it("flushes what is queued when SIGTERM arrives", async () => {
    const { store } = await temp();
    const writer = new BatchedWriter(store, { maxBatchAgeMs: 60_000 });
    await writer.write(Array.from({ length: 7 }, (_, i) => sampleObservation(i)));
    const done = new Promise<NodeJS.Signals>((resolve) => flushOnSignals(writer, resolve));
    process.emit("SIGTERM", "SIGTERM");
    expect(await done).toBe("SIGTERM");
    expect(await count(store, "observations")).toBe(7);
  });
});
