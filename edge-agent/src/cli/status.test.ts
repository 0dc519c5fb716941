import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEdgeConfig } from "../env.js";
import type { Readings } from "../guards/readings.js";
import { ResourceGuards } from "../guards/resource-guards.js";
import { BatchedWriter } from "../store/batched-writer.js";
import { runBuiltCli } from "../test-support/built-cli.js";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import type { StatusReport } from "./status-report.js";

const config = parseEdgeConfig({});
const env = { PIWARDRIVE_EDGE_PROFILE: "small" };
let db = "";
let emptyDb = "";
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  const temp = await openTempStore();
  cleanups.push(temp.cleanup);
  db = temp.path;
  const writer = new BatchedWriter(temp.store);
  await writer.write(Array.from({ length: 300 }, (_, i) => sampleObservation(i, 100)));
  await writer.write(
    Array.from({ length: 40 }, (_, i) =>
      sampleObservation(i, 10, { kind: "ble", mac: `0a:00:00:00:01:0${i % 10}` }),
    ),
  );
  writer.writeFixes(
    [1, 2, 3].map((s) => ({
      fixedAt: 1_750_000_000_000 + s * 1000,
      lat: -33.8,
      lon: 151.2,
      altitudeM: null,
      mode: 3,
      accuracyM: 4,
      hdop: 0.9,
      speedMps: null,
      trackDeg: null,
      source: "gpsd",
    })),
  );
  await writer.flush();
  const store = temp.store;
  await store.execute(`INSERT INTO sync_state (target, acked_seq, updated_at, last_error) VALUES
    ('cloud', 250, 1, NULL), ('backup', 100, 1, 'HTTP 503')`);
  await store.execute(`INSERT INTO imported_files (sha256, path, format, size_bytes, imported_at, records,
    observations, rejected) VALUES ('ab', '/tmp/w.csv', 'wigle', 10, 1, 2, 2, 0)`);
  const pressure: Readings = {
    at: Date.now(),
    rssMb: config.guards.rssModerateMb + 3,
    availableMemMb: 300,
    diskFreeMb: 2000,
    socTempC: null,
    eventLoopP99Ms: 4,
  };
  const guards = new ResourceGuards({
    store,
    writer,
    config: config.guards,
    readings: { read: async () => pressure, close: () => {} },
  });
  await guards.tick();
  await writer.close();

  const empty = await openTempStore();
  cleanups.push(empty.cleanup);
  emptyDb = empty.path;
});
afterAll(() => {
  for (const c of cleanups) c();
});

function statusJson(path: string): StatusReport {
  const run = runBuiltCli(["status", "--db", path, "--json"], env);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as StatusReport;
}

describe("piwardrive-edge status --json", { timeout: 20_000 }, () => {
  it("counts what is stored, networks by kind", () => {
    const report = statusJson(db);
    expect(report.counts).toEqual({
      observations: 340,
      networks: 110,
      networksByKind: { ble: 10, wifi: 100 },
      gpsFixes: 3,
      importedFiles: 1,
    });
  });

  it("reports the backlog against the slowest target, and per target", () => {
    const report = statusJson(db);
    expect(report.backlog).toEqual({ observations: 240, ackedSeq: 100, lastSeq: 340 });
    expect(report.sync.map((s) => [s.target, s.ackedSeq, s.backlog, s.lastError])).toEqual([
      ["backup", 100, 240, "HTTP 503"],
      ["cloud", 250, 90, null],
    ]);
  });

  it("shows the latest health sample: guard states with reasons, queue depth, writer stats, age", () => {
    const health = statusJson(db).health;
    expect(health).not.toBeNull();
    expect(health?.ageMs).toBeGreaterThanOrEqual(0);
    expect(health?.writerQueueDepth).toBe(0);
    expect(health?.rssMb).toBe(config.guards.rssModerateMb + 3);
    expect(health?.guards.memory).toEqual({
      level: "moderate",
      reason: expect.stringMatching(/^rss .* >= moderate/),
    });
    expect(health?.guards.actions).toMatchObject({ maxBatchRows: config.guards.moderateBatchRows });
    expect(health?.writer).toMatchObject({ committedObservations: 340, committedFixes: 3, refused: {} });
  });

  it("reports an empty database as empty, with nothing acknowledged and no health yet", () => {
    const report = statusJson(emptyDb);
    expect(report.counts.observations).toBe(0);
    expect(report.backlog).toEqual({ observations: 0, ackedSeq: null, lastSeq: null });
    expect(report.sync).toEqual([]);
    expect(report.health).toBeNull();
  });
});

describe("piwardrive-edge status (text and errors)", { timeout: 20_000 }, () => {
  it("prints an aligned readable summary without --json", () => {
    const run = runBuiltCli(["status", "--db", db], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^observations {4}340$/m);
    expect(run.stdout).toMatch(/^networks {8}110 \(ble 10, wifi 100\)$/m);
    expect(run.stdout).toMatch(/^backlog {9}240 observations not acknowledged$/m);
    expect(run.stdout).toMatch(/^ {2}memory +moderate \(rss .* >= moderate/m);
  });

  it("fails with a clear message when there is no database", () => {
    const run = runBuiltCli(["status", "--db", `${db}.missing`, "--json"], env);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`piwardrive-edge: no database at ${db}.missing\n`);
  });
});
