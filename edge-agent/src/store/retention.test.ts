import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import { BatchedWriter } from "./batched-writer.js";
import type { EdgeStore } from "./edge-store.js";
import { acknowledgedSeq, pruneAcknowledged, trimDiagnostics } from "./retention.js";

const DAY = 24 * 3600 * 1000;
const NOW = Date.UTC(2026, 0, 15);

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function storeWith(ageDays: readonly number[]): Promise<EdgeStore> {
  const temp = await openTempStore();
  cleanups.push(temp.cleanup);
  const writer = new BatchedWriter(temp.store);
  await writer.write(ageDays.map((age, i) => sampleObservation(i, 50, { seenAt: NOW - age * DAY - 1 })));
  await writer.close();
  return temp.store;
}

async function remainingSeqs(store: EdgeStore): Promise<number[]> {
  const rs = await store.execute("SELECT seq FROM observations ORDER BY seq");
  return rs.rows.map((r) => Number(r.seq));
}

async function ack(store: EdgeStore, target: string, seq: number): Promise<void> {
  await store.execute({
    sql: "INSERT INTO sync_state (target, acked_seq, updated_at) VALUES (?, ?, 1)",
    args: [target, seq],
  });
}

describe("pruneAcknowledged", () => {
  it("deletes exactly the rows that are acknowledged by every target and old enough (random cases)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 3 }),
        fc.integer({ min: 0, max: 15 }),
        async (ages, ackedByTarget, retentionDays) => {
          const store = await storeWith(ages);
          for (const [i, seq] of ackedByTarget.entries()) await ack(store, `target-${i}`, seq);
          const cutoff = NOW - retentionDays * DAY;
          await pruneAcknowledged(store, cutoff, 7);

          // With no target nothing is acknowledged; otherwise the slowest target decides.
          const acked = ackedByTarget.length === 0 ? 0 : Math.min(...ackedByTarget);
          const expected = ages
            .map((age, i) => ({ seq: i + 1, seenAt: NOW - age * DAY - 1 }))
            .filter((row) => !(row.seq <= acked && row.seenAt < cutoff))
            .map((row) => row.seq);
          expect(await remainingSeqs(store)).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  });

  it("deletes nothing, however old, while no sync_state row exists", async () => {
    const store = await storeWith(Array.from({ length: 30 }, () => 365));
    expect(await acknowledgedSeq(store)).toBeNull();
    expect(await pruneAcknowledged(store, NOW)).toEqual({ deleted: 0, ackedSeq: null });
    expect(await remainingSeqs(store)).toHaveLength(30);
  });

  it("works through many chunks and reports the total", async () => {
    const store = await storeWith(Array.from({ length: 95 }, () => 30));
    await ack(store, "cloud", 90);
    expect(await pruneAcknowledged(store, NOW, 10)).toEqual({ deleted: 90, ackedSeq: 90 });
    expect(await remainingSeqs(store)).toEqual([91, 92, 93, 94, 95]);
  });
});

describe("trimDiagnostics", () => {
  it("keeps the newest rows within the age and row bounds", async () => {
    const store = await storeWith([]);
    for (let i = 0; i < 30; i++) {
      await store.execute({
        sql: "INSERT INTO slow_queries (recorded_at, sql, duration_ms, plan) VALUES (?, ?, 500, '')",
        args: [NOW - (30 - i) * DAY, `q${i}`],
      });
    }
    // Rows q10..q29 are younger than 21 days; of those the newest 12 are kept.
    expect(await trimDiagnostics(store, "slow_queries", { keepDays: 20.5, keepRows: 12 }, NOW)).toBe(18);
    const rs = await store.execute("SELECT sql FROM slow_queries ORDER BY id");
    expect(rs.rows.map((r) => r.sql)).toEqual(Array.from({ length: 12 }, (_, i) => `q${18 + i}`));
  });
});
