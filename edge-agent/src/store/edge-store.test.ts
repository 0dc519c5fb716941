import { afterEach, describe, expect, it } from "vitest";
import { openTempStore, sampleObservation } from "../test-support/temp-store.js";
import { BatchedWriter } from "./batched-writer.js";
import { hotQueries } from "./hot-queries.js";
import { expectedPragmas, PROFILES, profileForMemory, tuningFor } from "./tuning.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function store(options: Parameters<typeof openTempStore>[0] = {}) {
  const t = await openTempStore(options);
  cleanups.push(t.cleanup);
  return t.store;
}

describe("EdgeStore tuning", () => {
  it("reads back every pragma of the tuning after open", async () => {
    const s = await store({ profile: "small", synchronous: "FULL" });
    const pragmas = await s.readPragmas();
    const expected = expectedPragmas(tuningFor("small", { synchronous: "FULL" }));
    for (const [name, value] of Object.entries(expected)) {
      expect(String(pragmas[name as keyof typeof pragmas]).toLowerCase(), name).toBe(String(value));
    }
    expect(pragmas.synchronous).toBe(2);
    expect(pragmas.auto_vacuum).toBe(2); // INCREMENTAL, chosen before the first table
  });

  it("keeps the pragmas after a batch write and after a scripted write transaction", async () => {
    const s = await store({ profile: "large" });
    const writer = new BatchedWriter(s);
    await writer.write([sampleObservation(1), sampleObservation(2)]);
    await writer.flush();
    await s.executeScript(
      "BEGIN IMMEDIATE; INSERT INTO sync_state (target, updated_at) VALUES ('t', 1); COMMIT",
    );
    expect(await s.pragmaDrift()).toEqual({});
    const pragmas = await s.readPragmas();
    expect(pragmas.cache_size).toBe(-PROFILES.large.cacheSizeKib);
    expect(pragmas.mmap_size).toBe(PROFILES.large.mmapSizeBytes);
    expect(pragmas.temp_store).toBe(2);
    expect(pragmas.synchronous).toBe(1);
  });

  it("detects a pragma that drifted and re-applies the tuning", async () => {
    const s = await store();
    await s.execute("PRAGMA cache_size=-100");
    expect(Object.keys(await s.pragmaDrift())).toEqual(["cache_size"]);
    expect(await s.ensurePragmas()).toEqual({ reapplied: true });
    expect(await s.pragmaDrift()).toEqual({});
  });

  it("sizes profiles from total memory", () => {
    expect(profileForMemory(512 * 1024 * 1024)).toBe("small");
    expect(profileForMemory(2 * 1024 * 1024 * 1024)).toBe("medium");
    expect(profileForMemory(8 * 1024 * 1024 * 1024)).toBe("large");
    expect(PROFILES.small.cacheSizeKib).toBeLessThan(PROFILES.medium.cacheSizeKib);
  });
});

describe("hot queries use indexes", () => {
  const expectedIndex: Record<string, RegExp> = {
    recent_networks: /USING INDEX networks_seen_idx/,
    recent_named_networks: /USING INDEX networks_named_seen_idx/,
    strongest_recent: /USING INDEX networks_rssi_seen_idx/,
    bbox_recent: /USING INDEX networks_geo_seen_idx/,
    ssid_search: /USING INDEX networks_ssid_lower_idx/,
    network_stats: /USING INDEX sqlite_autoindex_networks_1 \(mac=\?\)/,
  };

  it.each(Object.keys(expectedIndex))("%s is served by its index", async (name) => {
    const s = await store();
    const writer = new BatchedWriter(s);
    await writer.write(Array.from({ length: 500 }, (_, i) => sampleObservation(i, 200)));
    await writer.flush();
    await s.execute("ANALYZE");
    const statement = hotQueries()[name];
    expect(statement).toBeDefined();
    const plan = await s.explain(statement!);
    expect(plan).toMatch(expectedIndex[name]!);
    expect(plan).not.toMatch(/SCAN networks$|SCAN observations$/m);
  });
});

describe("slow-query log", () => {
  it("records a statement over the threshold with its plan", async () => {
    const s = await store({ slowQueryMs: 0.000001 });
    await s.execute({ sql: "SELECT count(*) FROM networks WHERE last_seen >= ?", args: [0] });
    const rows = await s.execute("SELECT sql, duration_ms, plan FROM slow_queries");
    expect(rows.rows.length).toBeGreaterThanOrEqual(1);
    const row = rows.rows.find((r) => String(r.sql).includes("FROM networks"));
    expect(row).toBeDefined();
    expect(Number(row!.duration_ms)).toBeGreaterThan(0);
    expect(String(row!.plan)).toMatch(/networks/);
  });
});
