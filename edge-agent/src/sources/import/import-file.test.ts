import { copyFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GpsTagger } from "../../gps/gps-tagger.js";
import { BatchedWriter } from "../../store/batched-writer.js";
import type { EdgeStore } from "../../store/edge-store.js";
import { fixturePath } from "../../test-support/fixtures.js";
import { openTempStore, sampleObservation } from "../../test-support/temp-store.js";
import { writeWigleFile } from "../../test-support/wigle-file.js";
import { importFile } from "./import-file.js";

let cleanup = () => {};
afterEach(() => cleanup());

async function tempStore() {
  const temp = await openTempStore({ profile: "small" });
  cleanup = temp.cleanup;
  return temp;
}

const scalar = async (store: EdgeStore, sql: string) =>
  Number(Object.values((await store.execute(sql)).rows[0] ?? {})[0]);

describe("importFile", () => {
  it("resumes an interrupted import without storing any sighting twice", async () => {
    const { store, dir } = await tempStore();
    const path = join(dir, "drive.csv");
    writeWigleFile(path, 3000);
    const interrupt = new AbortController();
    let flushes = 0;
    const slow = new BatchedWriter(store, {
      maxBatchRows: 100,
      maxQueueRows: 100,
      onFlush: () => {
        if (++flushes === 3) interrupt.abort();
      },
    });
    const first = importFile({
      path,
      store,
      writer: slow,
      now: Date.now(),
      chunkRows: 50,
      signal: interrupt.signal,
    });
    await expect(first).rejects.toThrow(/interrupted; re-run to resume/);

    const stored = await scalar(store, "SELECT count(*) FROM observations");
    expect(stored).toBeGreaterThanOrEqual(300);
    expect(stored).toBeLessThan(3000);
    const ledger = await store.execute("SELECT records, observations FROM imported_files");
    expect(ledger.rows.map((r) => [r.records, r.observations])).toEqual([[-1, stored]]);

    const resumedAfter: number[] = [];
    const writer = new BatchedWriter(store);
    const summary = await importFile({
      path,
      store,
      writer,
      now: Date.now(),
      onResume: (n) => resumedAfter.push(n),
    });
    expect(resumedAfter).toEqual([stored]);
    expect(summary).toMatchObject({ records: 3000, observations: 3000, rejected: 0, skipped: false });
    expect(summary.wifiNetworks + summary.btDevices).toBe(3000);
    expect(await scalar(store, "SELECT count(*) FROM observations")).toBe(3000);
    expect(await scalar(store, "SELECT count(DISTINCT mac || seen_at) FROM observations")).toBe(3000);
    expect(await scalar(store, "SELECT sum(observation_count) FROM networks")).toBe(3000);
    const done = await store.execute("SELECT records, observations, rejected FROM imported_files");
    expect(done.rows.map((r) => [r.records, r.observations, r.rejected])).toEqual([[3000, 3000, 0]]);

    const again = await importFile({ path, store, writer, now: Date.now() });
    expect(again).toMatchObject({ skipped: true, records: 0, observations: 0 });
    expect(await scalar(store, "SELECT count(*) FROM observations")).toBe(3000);
  });

  it("tags sightings of a format without positions with the GPS fix nearest in time", async () => {
    const { store, dir } = await tempStore();
    const writer = new BatchedWriter(store);
    const tagger = new GpsTagger();
    const nmea = await importFile({
      path: fixturePath("nmea/gpsd-testlog_bu353s4.log"),
      store,
      writer,
      tagger,
      now: Date.now(),
    });
    expect(nmea.gpsFixes).toBe(25);
    const fix = await store.execute(
      "SELECT fixed_at, lat, lon FROM gps_fixes ORDER BY fixed_at LIMIT 1 OFFSET 10",
    );
    const { fixed_at, lat, lon } = { ...fix.rows[0] };

    // iw output carries no time: the file's modification time is when it was scanned.
    const scan = join(dir, "scan.out");
    copyFileSync(fixturePath("iw-scan/jc_centos-7.7_iw-scan0.out"), scan);
    utimesSync(scan, new Date(Number(fixed_at) + 400), new Date(Number(fixed_at) + 400));
    const iw = await importFile({ path: scan, store, writer, tagger, now: Date.now() });
    expect(iw).toMatchObject({ format: "iw", observations: 2 });
    const rows = await store.execute("SELECT lat, lon, seen_at FROM observations WHERE source = 'iw'");
    // `last seen: N ms ago` puts each sighting a little before the scan; both are within the tagger's 2 s.
    expect(rows.rows.map((r) => [r.lat, r.lon])).toEqual([
      [lat, lon],
      [lat, lon],
    ]);
    for (const r of rows.rows) expect(Math.abs(Number(r.seen_at) - Number(fixed_at))).toBeLessThan(2000);
  });

  it("counts only its own rows into imported_files when another producer shares the writer", async () => {
    const { store, dir } = await tempStore();
    const path = join(dir, "small.csv");
    writeWigleFile(path, 250);
    const writer = new BatchedWriter(store, { maxBatchRows: 40, maxQueueRows: 40 });
    const live = (async () => {
      for (let i = 0; i < 120; i += 10) {
        await writer.write(Array.from({ length: 10 }, (_, k) => sampleObservation(i + k)));
      }
    })();
    const summary = await importFile({ path, store, writer, now: Date.now(), chunkRows: 20 });
    await live;
    await writer.flush();
    expect(summary.observations).toBe(250);
    expect(await scalar(store, "SELECT count(*) FROM observations")).toBe(370);
    expect(await scalar(store, "SELECT observations FROM imported_files")).toBe(250);
  });
});
