import { copyFileSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { runBuiltCli } from "../test-support/built-cli.js";
import { fixturePath } from "../test-support/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pw-replay-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PIWARDRIVE_EDGE_PROFILE: "small" };
const NMEA = fixturePath("nmea/gpsd-testlog_bu353s4.log");
const IW = fixturePath("iw-scan/jc_centos-7.7_iw-scan1.out");

interface Played {
  path: string;
  format: string;
  observations: number;
  fixes: number;
  driveMs: number;
}

async function rows(db: string, sql: string): Promise<Record<string, unknown>> {
  const client = createClient({ url: `file:${db}` });
  try {
    return { ...(await client.execute(sql)).rows[0] };
  } finally {
    client.close();
  }
}

describe("piwardrive-edge replay (built CLI)", () => {
  it("plays a GPS log and a scan re-dated to now, as fast as possible with --speed 0", async () => {
    const db = join(dir, "now.db");
    // iw output has no dates: its file time (set to 2020 here) is when it was scanned.
    const scan = join(dir, "scan.out");
    copyFileSync(IW, scan);
    utimesSync(scan, new Date("2020-06-01T12:00:00Z"), new Date("2020-06-01T12:00:00Z"));
    const before = Date.now();
    const run = runBuiltCli(["replay", NMEA, scan, "--db", db, "--speed", "0", "--now", "--json"], env);
    const after = Date.now();
    expect(run.status, run.stderr).toBe(0);
    const files = (JSON.parse(run.stdout) as { files: Played[] }).files;
    // bu353s4: 25 epochs with a fix (PROVENANCE.md: GGA/RMC x25); iw-scan1: 26 BSS.
    expect(files.map((f) => [f.format, f.fixes, f.observations])).toEqual([
      ["nmea", 25, 0],
      ["iw", 0, 26],
    ]);
    const nmeaDrive = files[0]?.driveMs ?? 0;
    expect(nmeaDrive).toBeGreaterThan(0);
    const fixes = await rows(
      db,
      "SELECT count(*) AS n, min(fixed_at) AS first, max(fixed_at) AS last FROM gps_fixes",
    );
    expect(fixes.n).toBe(25);
    expect(Number(fixes.first)).toBeGreaterThanOrEqual(before);
    expect(Number(fixes.last) - Number(fixes.first)).toBe(nmeaDrive);
    const seen = await rows(
      db,
      "SELECT count(*) AS n, min(seen_at) AS first, max(seen_at) AS last FROM observations",
    );
    expect(seen.n).toBe(26);
    // `last seen: N ms ago` spreads the sightings over seconds around the re-dated scan.
    expect(Number(seen.first)).toBeGreaterThan(before - 60_000);
    expect(Number(seen.last)).toBeLessThan(after + 60_000);
    expect((await rows(db, "SELECT count(*) AS n FROM imported_files")).n).toBe(0);
  });

  it("keeps the recorded times without --now and paces the drive by --speed", async () => {
    const db = join(dir, "paced.db");
    const started = performance.now();
    const run = runBuiltCli(["replay", NMEA, "--db", db, "--speed", "20", "--json"], env);
    const elapsed = performance.now() - started;
    expect(run.status, run.stderr).toBe(0);
    const [played] = (JSON.parse(run.stdout) as { files: Played[] }).files;
    expect(elapsed).toBeGreaterThanOrEqual((played?.driveMs ?? Number.POSITIVE_INFINITY) / 20);
    const fixes = await rows(db, "SELECT count(*) AS n, max(fixed_at) AS last FROM gps_fixes");
    expect(fixes.n).toBe(25);
    // The BU-353S4 log was recorded on 2014-12-31.
    expect(new Date(Number(fixes.last)).toISOString().slice(0, 10)).toBe("2014-12-31");
  });

  it("requires --db, names an unrecognised file, and keeps what it played before it", async () => {
    const noDb = runBuiltCli(["replay", NMEA], env);
    expect(noDb.status).not.toBe(0);
    expect(noDb.stderr).toContain("required option '--db <path>' not specified");
    const db = join(dir, "partial.db");
    const notes = fixturePath("PROVENANCE.md");
    const unknown = runBuiltCli(["replay", NMEA, notes, "--db", db, "--speed", "0"], env);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("PROVENANCE.md: unrecognised format");
    expect((await rows(db, "SELECT count(*) AS n FROM gps_fixes")).n).toBe(25);
  });
});
