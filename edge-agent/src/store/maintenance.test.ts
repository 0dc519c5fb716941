import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEdgeConfig } from "../env.js";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import { BatchedWriter } from "./batched-writer.js";
import type { EdgeStore } from "./edge-store.js";
import { fileBytes, spaceStats } from "./file-space.js";
import { Maintenance, type MaintenancePolicy, type MaintenanceReport } from "./maintenance.js";

const DAY = 24 * 3600 * 1000;
const defaults = parseEdgeConfig({}).maintenance;

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A store holding `rows` observations seen in June 2025, i.e. far older than any retention window. */
async function filledStore(rows: number): Promise<EdgeStore> {
  const temp = await openTempStore();
  cleanups.push(temp.cleanup);
  const writer = new BatchedWriter(temp.store);
  // Long capability strings make the rows big enough to span many pages.
  await writer.write(
    Array.from({ length: rows }, (_, i) => sampleObservation(i, 500, { capabilities: "x".repeat(200) })),
  );
  await writer.close();
  return temp.store;
}

function maintenance(store: EdgeStore, policy: Partial<MaintenancePolicy> = {}): Maintenance {
  const m = new Maintenance(store, { ...defaults, ...policy });
  cleanups.push(() => m.stop());
  return m;
}

const count = async (store: EdgeStore, table: string) =>
  Number((await store.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

describe("Maintenance.runOnce", () => {
  it("runs ANALYZE on the first run only, then PRAGMA optimize", async () => {
    const store = await filledStore(200);
    const m = maintenance(store);
    expect((await m.runOnce()).analyzed).toBe(true);
    const stat1 = await store.execute("SELECT count(*) AS n FROM sqlite_stat1");
    expect(Number(stat1.rows[0]?.n)).toBeGreaterThan(0);
    expect((await m.runOnce()).analyzed).toBe(false);
    expect(m.lastReport?.analyzed).toBe(false);
  });

  it("prunes acknowledged old observations and keeps the unacknowledged ones", async () => {
    const store = await filledStore(500);
    await store.execute("INSERT INTO sync_state (target, acked_seq, updated_at) VALUES ('cloud', 320, 1)");
    const report = await maintenance(store).runOnce();
    expect(report.ackedSeq).toBe(320);
    expect(report.pruned.observations).toBe(320);
    const rs = await store.execute("SELECT count(*) AS n, min(seq) AS lo FROM observations");
    expect(rs.rows[0]).toMatchObject({ n: 180, lo: 321 });
  });

  it("keeps acknowledged rows younger than the retention window", async () => {
    const store = await filledStore(50);
    await store.execute("INSERT INTO sync_state (target, acked_seq, updated_at) VALUES ('cloud', 50, 1)");
    const seenAt = 1_750_000_000_000;
    const m = new Maintenance(store, { ...defaults, retentionDays: 7 }, { clock: () => seenAt + 2 * DAY });
    expect((await m.runOnce()).pruned.observations).toBe(0);
    expect(await count(store, "observations")).toBe(50);
  });

  it("hands free pages back with incremental vacuum, a bounded step at a time", async () => {
    const store = await filledStore(4000);
    await store.execute("INSERT INTO sync_state (target, acked_seq, updated_at) VALUES ('cloud', 4000, 1)");
    const step = await maintenance(store, { vacuumStepPages: 10 }).runOnce();
    expect(step.vacuum.ran).toBe(true);
    expect(step.vacuum.freelistBefore).toBeGreaterThan(100);
    expect(step.vacuum.pagesFreed).toBe(10);
    expect(step.vacuum.freelistAfter).toBe(step.vacuum.freelistBefore - 10);

    const pagesBefore = (await spaceStats(store)).pageCount;
    const all = await maintenance(store, { vacuumStepPages: 1_000_000 }).runOnce();
    expect(all.vacuum.freelistAfter).toBe(0);
    expect(all.vacuum.pageCount).toBe(pagesBefore - step.vacuum.freelistAfter);
  });

  it("leaves free pages alone below the freelist threshold", async () => {
    const store = await filledStore(300);
    await store.execute("INSERT INTO sync_state (target, acked_seq, updated_at) VALUES ('cloud', 10, 1)");
    const report = await maintenance(store, { vacuumFreelistRatio: 0.9 }).runOnce();
    expect(report.vacuum.ran).toBe(false);
    expect(report.vacuum.freelistAfter).toBe(report.vacuum.freelistBefore);
  });

  it("checkpoints and truncates the WAL only once it passes the size limit", async () => {
    const store = await filledStore(1000);
    const kept = await maintenance(store, { walCheckpointBytes: 1024 ** 3 }).runOnce();
    expect(kept.wal.checkpointed).toBe(false);
    expect(kept.wal.bytesAfter).toBeGreaterThan(0);
    const truncated = await maintenance(store, { walCheckpointBytes: 1024 }).runOnce();
    expect(truncated.wal).toMatchObject({ checkpointed: true, bytesAfter: 0 });
    expect(truncated.wal.bytesBefore).toBeGreaterThan(1024);
    expect(fileBytes(`${store.path}-wal`)).toBe(0);
  });

  it("bounds slow_queries and health_samples", async () => {
    const store = await filledStore(1);
    const now = Date.now();
    for (let i = 0; i < 20; i++) {
      await store.recordSlow(`SELECT ${i}`, 300 + i);
      await store.execute({
        sql: "INSERT INTO health_samples (sampled_at, guards) VALUES (?, '{}')",
        args: [now - (i < 5 ? 10 * DAY : 0)],
      });
    }
    const report = await maintenance(store, {
      slowQueries: { keepRows: 8, keepDays: 14 },
      healthSamples: { keepRows: 100, keepDays: 3 },
    }).runOnce();
    expect(report.pruned).toMatchObject({ slowQueries: 12, healthSamples: 5 });
    expect(await count(store, "slow_queries")).toBe(8);
    expect(await count(store, "health_samples")).toBe(15);
  });

  it("re-verifies the pragmas and re-applies a drifted one", async () => {
    const store = await filledStore(1);
    await store.execute("PRAGMA cache_size=-64");
    expect((await maintenance(store).runOnce()).pragmasReapplied).toBe(true);
    expect(await store.pragmaDrift()).toEqual({});
  });
});

describe("Maintenance schedule and disk relief", () => {
  it("runs at start and on its interval until stopped", async () => {
    const store = await filledStore(1);
    const reports: MaintenanceReport[] = [];
    const m = new Maintenance(store, defaults, { onReport: (r) => reports.push(r) });
    cleanups.push(() => m.stop());
    m.start(20);
    await vi.waitFor(() => expect(reports.length).toBeGreaterThanOrEqual(2), { timeout: 2000 });
    await m.stop();
    const runs = reports.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(reports.length).toBe(runs);
  });

  it("relieveDisk prunes every acknowledged row whatever its age and empties the free list", async () => {
    const store = await filledStore(2000);
    await store.execute("INSERT INTO sync_state (target, acked_seq, updated_at) VALUES ('cloud', 1500, 1)");
    const m = new Maintenance(store, defaults, { clock: () => 0 }); // "now" is 1970: no row is old
    expect((await m.runOnce()).pruned.observations).toBe(0);
    const relief = await m.relieveDisk();
    expect(relief.prunedObservations).toBe(1500);
    expect(relief.pagesFreed).toBeGreaterThan(0);
    expect(relief.walBytesAfter).toBe(0);
    expect((await spaceStats(store)).freelistCount).toBe(0);
    expect(await count(store, "observations")).toBe(500);
  });
});
