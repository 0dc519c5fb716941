import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchedWriter } from "../store/batched-writer.js";
import { hotQueries } from "../store/hot-queries.js";
import { PROFILES } from "../store/tuning.js";
import { runBuiltCli } from "../test-support/built-cli.js";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import type { DoctorReport } from "./doctor-report.js";

let dir = "";
let db = "";
let cleanup = () => {};
const small = { PIWARDRIVE_EDGE_PROFILE: "small" };

beforeAll(async () => {
  const temp = await openTempStore({ profile: "medium" });
  ({ dir, path: db, cleanup } = temp);
  const writer = new BatchedWriter(temp.store);
  await writer.write(Array.from({ length: 600 }, (_, i) => sampleObservation(i, 200)));
  await writer.close();
  await temp.store.recordSlow("SELECT * FROM observations WHERE ssid = 'slow'", 812.5);
  await temp.store.recordSlow("SELECT count(*) FROM networks", 240);
  await temp.store.execute("ANALYZE");
});
afterAll(() => cleanup());

function doctorJson(args: string[] = [], env = small): DoctorReport {
  const run = runBuiltCli(["doctor", "--db", db, "--json", ...args], env);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const report: unknown = JSON.parse(run.stdout); // the whole of stdout is one JSON value
  expect(report).toBeTypeOf("object");
  return report as DoctorReport;
}

describe("piwardrive-edge doctor --json", { timeout: 20_000 }, () => {
  it("prints the pragmas as SQLite reports them, for the configured profile, without drift", () => {
    const report = doctorJson();
    expect(report.tuning.profile).toBe("small");
    expect(report.pragmas).toMatchObject({
      journal_mode: "wal",
      synchronous: 1,
      temp_store: 2,
      cache_size: -PROFILES.small.cacheSizeKib,
      mmap_size: PROFILES.small.mmapSizeBytes,
      wal_autocheckpoint: PROFILES.small.walAutocheckpointPages,
      journal_size_limit: PROFILES.small.journalSizeLimitBytes,
      busy_timeout: 5000,
      foreign_keys: 1,
      auto_vacuum: 2,
    });
    expect(report.expected.cache_size).toBe(-PROFILES.small.cacheSizeKib);
    expect(report.drift).toEqual({});
  });

  it("lets --profile override the environment", () => {
    expect(doctorJson(["--profile", "large"]).pragmas.cache_size).toBe(-PROFILES.large.cacheSizeKib);
  });

  it("reports file sizes, indexes and a plan for every hot query that uses its index", () => {
    const report = doctorJson();
    expect(report.files.dbBytes).toBeGreaterThan(0);
    expect(report.maintenance.pageCount * report.maintenance.pageSize).toBeGreaterThan(0);
    expect(report.maintenance.analyzed).toBe(true);
    const names = report.indexes.map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(["networks_seen_idx", "networks_geo_seen_idx"]));
    expect(Object.keys(report.plans).sort()).toEqual(Object.keys(hotQueries()).sort());
    expect(report.plans.recent_networks?.plan).toMatch(/USING INDEX networks_seen_idx/);
    expect(report.plans.bbox_recent?.plan).toMatch(/USING INDEX networks_geo_seen_idx/);
    expect(report.plans.ssid_search?.plan).toMatch(/USING INDEX networks_ssid_lower_idx/);
    expect(report.plans.network_stats?.plan).toMatch(/USING INDEX sqlite_autoindex_networks_1/);
  });

  it("summarises slow queries, slowest first, limited by --top", () => {
    const report = doctorJson(["--top", "1"]);
    expect(report.slowQueries.count).toBe(2);
    expect(report.slowQueries.top).toHaveLength(1);
    expect(report.slowQueries.top[0]).toMatchObject({
      durationMs: 812.5,
      sql: expect.stringMatching(/'slow'/),
    });
    expect(report.slowQueries.top[0]?.plan).toMatch(/SCAN observations/);
  });
});

describe("piwardrive-edge doctor (text and errors)", { timeout: 20_000 }, () => {
  it("prints an aligned readable summary without --json", () => {
    const run = runBuiltCli(["doctor", "--db", db], small);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ {2}journal_mode {8}wal {2}\[wal\]$/m);
    expect(run.stdout).toMatch(/^ {2}recent_networks +SEARCH networks USING INDEX networks_seen_idx/m);
    expect(run.stdout).toMatch(/^drift: none$/m);
    expect(() => JSON.parse(run.stdout)).toThrow();
  });

  it("refuses a path with no database instead of creating one", () => {
    const missing = join(dir, "missing.db");
    const run = runBuiltCli(["doctor", "--db", missing, "--json"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`piwardrive-edge: no database at ${missing}\n`);
    expect(runBuiltCli(["doctor", "--db", missing]).status).toBe(1); // still not created
  });

  it("says when the directory is missing, the file is not SQLite, or the database is not ours", async () => {
    const noDir = runBuiltCli(["doctor", "--db", join(dir, "nope", "edge.db")]);
    expect(noDir.status).toBe(1);
    expect(noDir.stderr).toMatch(/no database directory at .*nope/);

    const text = join(dir, "notes.db");
    writeFileSync(text, "not a database\n");
    expect(runBuiltCli(["doctor", "--db", text]).stderr).toMatch(/is not a SQLite database/);

    const foreign = join(dir, "foreign.db");
    const client = createClient({ url: `file:${foreign}` });
    await client.execute("CREATE TABLE t (x)");
    client.close();
    const run = runBuiltCli(["status", "--db", foreign]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not a PiWardrive edge database/);
    const after = createClient({ url: `file:${foreign}` });
    const tables = await after.execute("SELECT name FROM sqlite_master WHERE type='table'");
    after.close();
    expect(tables.rows.map((r) => r.name)).toEqual(["t"]); // not migrated behind the user's back
  });

  it("reports an invalid configuration as an error", () => {
    const run = runBuiltCli(["doctor", "--db", db], { PIWARDRIVE_EDGE_PROFILE: "huge" });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/PIWARDRIVE_EDGE_PROFILE/);
  });
});
