import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { WORKER_MIN_BYTES } from "../sources/import/read-in-worker.js";
import { builtCliPath, runBuiltCli } from "../test-support/built-cli.js";
import { writeWigleFile } from "../test-support/wigle-file.js";

const dir = mkdtempSync(join(tmpdir(), "pw-import-large-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PIWARDRIVE_EDGE_PROFILE: "small" };
// Rows of ~110 B: a file past the size from which the parser runs on its own thread.
const ROWS = 90_000;
const file = join(dir, "drive.csv");
writeWigleFile(file, ROWS);

async function scalar(db: string, sql: string): Promise<number> {
  const client = createClient({ url: `file:${db}` });
  try {
    return Number((await client.execute(sql)).rows[0]?.[0] ?? Number.NaN);
  } catch {
    return Number.NaN; // not created yet, or mid-migration
  } finally {
    client.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("import of a large file (parser thread, built CLI)", () => {
  it("is large enough to take the parser-thread path", () => {
    expect(statSync(file).size).toBeGreaterThan(WORKER_MIN_BYTES);
  });

  it("imports every row, and after a kill -9 mid-import resumes without duplicating any", async () => {
    const db = join(dir, "killed.db");
    const child = spawn(process.execPath, [builtCliPath, "import", file, "--db", db, "--json"], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_, signal) => resolve(signal)),
    );
    // Kill it once some batches are committed (and counted in imported_files), well before the end.
    let stored = 0;
    for (let i = 0; i < 400 && stored < 5_000; i++) {
      await sleep(25);
      stored = (await scalar(db, "SELECT observations FROM imported_files")) || 0;
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const partial = await scalar(db, "SELECT count(*) FROM observations");
    expect(partial).toBeGreaterThanOrEqual(5_000);
    expect(partial).toBeLessThan(ROWS);
    expect(await scalar(db, "SELECT records FROM imported_files")).toBe(-1);
    expect(await scalar(db, "SELECT observations FROM imported_files")).toBe(partial);

    const resumed = runBuiltCli(["import", file, "--db", db, "--json"], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming an interrupted import (${partial} sightings stored)`);
    const [summary] = (JSON.parse(resumed.stdout) as { files: Array<Record<string, unknown>> }).files;
    // Bruce's rows alternate Wi-Fi and BLE; each row has its own MAC (see writeWigleFile).
    expect(summary).toMatchObject({ records: ROWS, observations: ROWS, rejected: 0, skipped: false });
    expect(Number(summary?.wifiNetworks) + Number(summary?.btDevices)).toBe(ROWS);
    expect(await scalar(db, "SELECT count(*) FROM observations")).toBe(ROWS);
    expect(await scalar(db, "SELECT count(DISTINCT mac || '/' || seen_at) FROM observations")).toBe(ROWS);
    expect(await scalar(db, "SELECT sum(observation_count) FROM networks")).toBe(ROWS);
    expect(await scalar(db, "SELECT records FROM imported_files")).toBe(ROWS);
  }, 60_000);

  it("stops on SIGINT after committing what it queued, exits 130, and resumes later", async () => {
    const db = join(dir, "interrupted.db");
    const child = spawn(process.execPath, [builtCliPath, "import", file, "--db", db, "--json"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 400 && !((await scalar(db, "SELECT observations FROM imported_files")) > 0); i++) {
      await sleep(25);
    }
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const [entry] = (JSON.parse(stdout) as { files: Array<Record<string, unknown>> }).files;
    expect(String(entry?.error)).toContain("interrupted; re-run to resume");
    const partial = await scalar(db, "SELECT count(*) FROM observations");
    expect(await scalar(db, "SELECT observations FROM imported_files")).toBe(partial);

    const resumed = runBuiltCli(["import", file, "--db", db, "--json"], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(await scalar(db, "SELECT count(*) FROM observations")).toBe(ROWS);
  }, 60_000);
});
