import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedPragmas } from "../db/cloud-db.js";
import type { CloudDoctorReport } from "../db/doctor-report.js";
import { hotStatements } from "../db/hot-statements.js";
import { memoryLogger } from "../logger.js";
import { runAndRecordMaintenance } from "../maintenance/maintenance-job.js";
import { createDevice } from "../services/devices.js";
import { manySightings } from "../test-support/batches.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { openTempDb } from "../test-support/test-cloud.js";

// The built CLI, as operators run it (`npm run build` first).
const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");
let temp: Awaited<ReturnType<typeof openTempDb>>;

function doctor(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [MAIN, "doctor", "--db", temp.path, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  expect(existsSync(MAIN), `${MAIN} is missing: build cloud-api first`).toBe(true);
  temp = await openTempDb();
  const { id } = await createDevice(temp.db, { name: "pi-1" });
  for (let b = 0; b < 3; b += 1) {
    await landAndMerge(temp.db, { deviceId: id, batchSeq: b }, manySightings(400, b * 400 + 1, 50));
  }
  await runAndRecordMaintenance(
    { db: temp.db, dbPath: temp.path, payloadRetentionDays: 7, vacuumFreePercent: 25 },
    memoryLogger(),
  );
});
afterAll(() => temp.cleanup());

describe("piwardrive-cloud doctor", { timeout: 30_000 }, () => {
  it("--json: pragmas read back on the opened and the reopened connection, plans, sizes, maintenance", () => {
    const run = doctor(["--json", "--top", "5"], { PIWARDRIVE_DB_BUSY_TIMEOUT_MS: "4321" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as CloudDoctorReport; // the whole of stdout is one JSON value
    expect(report.connections.map((c) => c.connection)).toEqual(["opened", "reopened"]);
    for (const c of report.connections) {
      expect(c.pragmas).toMatchObject(expectedPragmas(4321));
      expect(Object.keys(c.pragmas)).toEqual(
        expect.arrayContaining(["cache_size", "mmap_size", "wal_autocheckpoint", "foreign_keys"]),
      );
      expect(c.drift).toEqual({});
    }
    expect(report.plans.map((p) => p.name)).toEqual(hotStatements().map((h) => h.name));
    // after PRAGMA optimize on a tiny fleet SQLite may scan `networks` in a merge step (cheap at this
    // size): a note, not a problem; the plan test (db/hot-statements.test.ts) is the strict check
    for (const note of report.notes)
      expect(note).toMatch(/^merge_\d+: SCAN networks \(fine while networks has \d+ rows/);
    expect(report.files?.dbBytes).toBeGreaterThan(100_000);
    expect(report.pages.pageCount * report.pages.pageSize).toBe(report.files?.dbBytes);
    expect(report.analyzed).toBe(true); // the maintenance run's PRAGMA optimize
    expect(report.statements.reads).toHaveLength(5);
    expect(report.statements.reads[0]?.ms).toBeGreaterThanOrEqual(report.statements.reads[4]?.ms ?? 0);
    expect(report.maintenance).toMatchObject({ status: "ok", result: { vacuum: { ran: false } } });
    expect(report.problems).toEqual([]);
  });

  it("names the statements over the slow threshold", () => {
    const report = JSON.parse(
      doctor(["--json"], { PIWARDRIVE_SLOW_STATEMENT_MS: "0" }).stdout,
    ) as CloudDoctorReport;
    expect(report.statements.slow.length).toBe(hotStatements().filter((h) => h.writes !== true).length);
  });

  it("prints a readable report, exits 1 and lists the problem after a failed maintenance run", async () => {
    const ok = doctor([]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/pragmas per connection \(opened \| reopened\)/);
    expect(ok.stdout).toMatch(/^ {2}synchronous +1 \| 1 {2}\[1\]$/m);
    expect(ok.stdout).toMatch(/problems: none/);
    await temp.db.execute({
      sql: "INSERT INTO maintenance_runs (started_at, duration_ms, status, result) VALUES (?, 1, 'failed', ?)",
      args: [Date.now(), JSON.stringify({ error: "disk I/O error" })],
    });
    const bad = doctor([]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/problems \(1\):\n {2}last maintenance run failed/);
  });

  it("refuses a missing database with the reason, without creating it", () => {
    const run = spawnSync(process.execPath, [MAIN, "doctor", "--db", `${temp.path}.missing`], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no database at .*\.missing \(run `piwardrive-cloud migrate` first\)/);
    expect(existsSync(`${temp.path}.missing`)).toBe(false);
  });
});
