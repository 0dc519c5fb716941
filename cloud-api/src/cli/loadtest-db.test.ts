import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbLoadResult } from "../loadtest/run-db-load.js";
import { createDevice } from "../services/devices.js";
import { countRows } from "../test-support/expect-error.js";
import { landAndMerge, wigleDriveSightings } from "../test-support/merged-batches.js";
import { openTempDb } from "../test-support/test-cloud.js";

// The built CLI, as operators run it (build cloud-api first): the readers and writers are worker threads.
const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");
let db: Client;
let path: string;
let cleanup: () => void;

beforeAll(async () => {
  expect(existsSync(MAIN), `${MAIN} is missing: build cloud-api first`).toBe(true);
  ({ db, path, cleanup } = await openTempDb());
  const device = await createDevice(db, { name: "drive" });
  await landAndMerge(db, { deviceId: device.id }, wigleDriveSightings());
});
afterAll(() => {
  db.close();
  cleanup();
});

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MAIN, "loadtest", "db", ...args], { env: {} });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

const READS = [
  "network_detail",
  "network_observations",
  "networks_bbox_city",
  "networks_bbox_street",
  "networks_recent",
  "networks_ssid_prefix",
  "observations_bbox",
  "stats",
];

describe("piwardrive-cloud loadtest db", () => {
  it("runs the hot reads and merge-sized writes on a copy, with per-operation latencies and the pragmas", async () => {
    const before = await countRows(db, "observations");
    const run = await cli(
      "--db",
      path,
      "--readers",
      "2",
      "--writers",
      "1",
      "--duration",
      "2",
      "--warmup",
      "0.5",
      "--batch-size",
      "200",
      "--json",
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as DbLoadResult;
    expect(result).toMatchObject({
      kind: "db",
      model: "closed",
      copied: true,
      readers: 2,
      writers: 1,
      batchSize: 200,
    });
    expect(result.pragmas).toMatchObject({ journal_mode: "wal", synchronous: 1, busy_timeout: 5000 });
    expect(Object.keys(result.operations).sort()).toEqual([...READS, "land", "merge"].sort());
    for (const [name, op] of Object.entries(result.operations)) {
      expect(op.errors, name).toBe(0);
      expect(op.requests, name).toBeGreaterThan(0);
      expect(op.p50, name).toBeGreaterThan(0);
      expect(op.p50, name).toBeLessThanOrEqual(op.p99);
      expect(op.p99, name).toBeLessThanOrEqual(op.max);
    }
    // Every measured merge inserted a whole batch of new sightings.
    expect(result.observationsWritten).toBe(result.operations.merge!.requests * 200);
    expect(result.totals.operations).toBe(
      Object.values(result.operations).reduce((sum, op) => sum + op.requests, 0),
    );
    // The database itself was not touched: the run wrote to a VACUUM INTO copy.
    expect(await countRows(db, "observations")).toBe(before);
  });

  it("--in-place writes into the database itself and revokes its writer devices after", async () => {
    const before = await countRows(db, "observations");
    const run = await cli(
      "--db",
      path,
      "--readers",
      "0",
      "--writers",
      "1",
      "--duration",
      "1",
      "--warmup",
      "0",
      "--batch-size",
      "100",
      "--in-place",
      "--json",
    );
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as DbLoadResult;
    expect(result.copied).toBe(false);
    expect(Object.keys(result.operations).sort()).toEqual(["land", "merge"]);
    const after = await countRows(db, "observations");
    expect(after - before).toBeGreaterThanOrEqual(result.observationsWritten);
    const writers = await db.execute("SELECT revoked_at FROM devices WHERE name LIKE 'loadtest-db-writer-%'");
    expect(writers.rows.length).toBe(1);
    expect(writers.rows[0]?.revoked_at).not.toBeNull();
  });

  it("refuses what it cannot run, with the reason", async () => {
    const missing = await cli("--db", "/nonexistent/cloud.db", "--duration", "1");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no database at /nonexistent/cloud.db");
    const url = await cli("--db", "libsql://example.turso.io", "--duration", "1");
    expect(url.status).toBe(1);
    expect(url.stderr).toContain("needs a local libSQL file");
    const none = await cli("--db", path, "--readers", "0", "--writers", "0", "--duration", "1");
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("nothing to run");
    const bad = await cli("--db", path, "--readers", "-1", "--duration", "1");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--readers");
  });
});
