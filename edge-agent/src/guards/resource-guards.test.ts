import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEdgeConfig } from "../env.js";
import { BatchedWriter } from "../store/batched-writer.js";
import { Maintenance } from "../store/maintenance.js";
import { PROFILES } from "../store/tuning.js";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import type { Readings, ReadingsSource } from "./readings.js";
import { DISK_FLOOR_REFUSAL, ResourceGuards } from "./resource-guards.js";

const { guards: config, maintenance: policy } = parseEdgeConfig({});
const CALM: Readings = {
  at: 0,
  rssMb: 50,
  availableMemMb: 400,
  diskFreeMb: 5000,
  socTempC: 45,
  eventLoopP99Ms: 3,
};

/** Readings the test sets by hand: the machine is faked, the database and writer are real. */
class ScriptedReadings implements ReadingsSource {
  current: Readings = { ...CALM };
  set(r: Partial<Readings>): void {
    this.current = { ...CALM, ...r, at: Date.now() };
  }
  async read(): Promise<Readings> {
    return this.current;
  }
  close(): void {}
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(writerOptions: ConstructorParameters<typeof BatchedWriter>[1] = {}) {
  const temp = await openTempStore({ profile: "medium" });
  cleanups.push(temp.cleanup);
  const flushSizes: number[] = [];
  const writer = new BatchedWriter(temp.store, {
    maxBatchRows: 1000,
    onFlush: (r) => flushSizes.push(r.observations),
    ...writerOptions,
  });
  cleanups.push(() => writer.close());
  const readings = new ScriptedReadings();
  const cadence: number[] = [];
  const guards = new ResourceGuards({
    store: temp.store,
    writer,
    readings,
    config,
    maintenance: new Maintenance(temp.store, policy),
    onCadence: (m) => cadence.push(m),
  });
  cleanups.push(() => guards.stop());
  return { store: temp.store, writer, readings, guards, cadence, flushSizes };
}

describe("ResourceGuards under memory pressure", () => {
  it("shrinks batches and the page cache, escalates, and restores both when pressure ends", async () => {
    const { store, writer, readings, guards, flushSizes } = await setup();
    readings.set({ rssMb: config.rssModerateMb + 1 });
    const moderate = await guards.tick();
    expect(moderate.decisions.memory.level).toBe("moderate");
    expect(moderate.decisions.memory.reason).toMatch(/rss .* >= moderate/);
    expect(writer.maxBatchRows).toBe(config.moderateBatchRows);
    expect((await store.readPragmas()).cache_size).toBe(-config.moderateCacheKib);
    // Re-verifying the pragmas (maintenance does it) must not undo the guard's cache limit.
    expect(await store.ensurePragmas()).toEqual({ reapplied: false });
    expect((await store.readPragmas()).cache_size).toBe(-config.moderateCacheKib);

    await writer.write(Array.from({ length: 600 }, (_, i) => sampleObservation(i)));
    await writer.flush();
    expect(Math.max(...flushSizes)).toBeLessThanOrEqual(config.moderateBatchRows);

    readings.set({ availableMemMb: config.availableMemCriticalMb - 1 });
    await guards.tick();
    expect(writer.maxBatchRows).toBe(config.criticalBatchRows);
    expect((await store.readPragmas()).cache_size).toBe(-config.criticalCacheKib);

    readings.set({});
    const relieved = await guards.tick();
    expect(relieved.decisions.memory.level).toBe("none");
    expect(writer.maxBatchRows).toBe(1000);
    expect((await store.readPragmas()).cache_size).toBe(-PROFILES.medium.cacheSizeKib);
    expect(relieved.actions).toMatchObject({
      maxBatchRows: 1000,
      cacheSizeKib: PROFILES.medium.cacheSizeKib,
    });
    expect(await store.pragmaDrift()).toEqual({});
  });
});

describe("ResourceGuards below the disk floor", () => {
  it("refuses and counts new observations, prunes only acknowledged rows, and resumes above the floor", async () => {
    const { store, writer, readings, guards } = await setup();
    await writer.write(Array.from({ length: 300 }, (_, i) => sampleObservation(i)));
    await writer.flush();
    await store.execute("INSERT INTO sync_state (target, acked_seq, updated_at) VALUES ('cloud', 200, 1)");

    readings.set({ diskFreeMb: config.diskFloorMb - 1 });
    const low = await guards.tick();
    expect(low.decisions.disk).toMatchObject({ belowFloor: true, reason: expect.stringMatching(/< floor/) });
    expect(writer.refusal).toBe(DISK_FLOOR_REFUSAL);
    expect(await writer.write([sampleObservation(1000), sampleObservation(1001)])).toBe(0);
    expect(await writer.write(sampleObservation(1002))).toBe(0);
    expect(writer.stats.refused).toEqual({ [DISK_FLOOR_REFUSAL]: 3 });
    expect(low.lastError).toBeNull();
    expect(low.actions.lastDiskRelief?.prunedObservations).toBe(200);
    const left = await store.execute("SELECT count(*) AS n, min(seq) AS lo FROM observations");
    expect(left.rows[0]).toMatchObject({ n: 100, lo: 201 });

    readings.set({ diskFreeMb: config.diskResumeMb + 1 });
    const resumed = await guards.tick();
    expect(resumed.decisions.disk.belowFloor).toBe(false);
    expect(writer.refusal).toBeNull();
    expect(await writer.write(sampleObservation(1003))).toBe(1);
    expect(writer.stats.refused[DISK_FLOOR_REFUSAL]).toBe(3);
  });

  it("leaves a refusal it did not set alone", async () => {
    const { writer, readings, guards } = await setup();
    writer.setRefusal("operator_pause");
    readings.set({ diskFreeMb: 1 });
    await guards.tick();
    readings.set({});
    await guards.tick();
    expect(writer.refusal).toBe("operator_pause");
  });
});

describe("ResourceGuards cadence and visibility", () => {
  it("slows the scan cadence when hot or lagging and speeds it up again", async () => {
    const { readings, guards, cadence } = await setup();
    readings.set({ socTempC: config.hotC + 2 });
    await guards.tick();
    expect(guards.scanIntervalMultiplier).toBe(config.cadenceSlowdown);
    readings.set({ socTempC: config.hotC + 2, eventLoopP99Ms: config.lagMs + 50 });
    await guards.tick();
    await guards.tick(); // unchanged: no second callback
    readings.set({});
    await guards.tick();
    expect(cadence).toEqual([config.cadenceSlowdown, config.cadenceSlowdown ** 2, 1]);
    expect(guards.scanIntervalMultiplier).toBe(1);
  });

  it("writes a health sample every tick with the queue depth, states, reasons and writer stats", async () => {
    const { store, writer, readings, guards } = await setup({ maxBatchAgeMs: 60_000 });
    await writer.write(Array.from({ length: 7 }, (_, i) => sampleObservation(i)));
    readings.set({ rssMb: config.rssCriticalMb + 10, socTempC: config.hotC + 1, diskFreeMb: 4321 });
    const state = await guards.tick();
    readings.set({});
    await guards.tick();

    const rs = await store.execute("SELECT * FROM health_samples ORDER BY id");
    expect(rs.rows).toHaveLength(2);
    const first = rs.rows[0]!;
    expect(first).toMatchObject({ writer_queue_depth: 7, disk_free_mb: 4321, soc_temp_c: config.hotC + 1 });
    const guardsJson = JSON.parse(String(first.guards));
    expect(guardsJson.memory).toEqual(state.decisions.memory);
    expect(guardsJson.memory.level).toBe("critical");
    expect(guardsJson.heat.reason).toMatch(/>= hot/);
    expect(guardsJson.actions.maxBatchRows).toBe(config.criticalBatchRows);
    expect(guardsJson.writer.queued).toBe(7);

    expect(guards.state()).toMatchObject({ ticks: 2, readings: readings.current, lastError: null });
  });

  it("ticks on its own once started and stops when told", async () => {
    const { store, guards } = await setup();
    guards.start(10);
    await vi.waitFor(() => expect(guards.state().ticks).toBeGreaterThanOrEqual(3), { timeout: 2000 });
    await guards.stop();
    const ticks = guards.state().ticks;
    await new Promise((r) => setTimeout(r, 50));
    expect(guards.state().ticks).toBe(ticks);
    const rs = await store.execute("SELECT count(*) AS n FROM health_samples");
    expect(rs.rows[0]?.n).toBe(ticks);
  });
});
