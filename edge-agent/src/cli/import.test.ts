import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { runBuiltCli } from "../test-support/built-cli.js";
import { allFixtures, expectedImport } from "../test-support/fixture-counts.js";
import { fixturePath } from "../test-support/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pw-import-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PIWARDRIVE_EDGE_PROFILE: "small" };

interface FileEntry extends Record<string, unknown> {
  path: string;
  format: string | null;
  error?: string;
  observations?: number;
  skipped?: boolean;
}

function importJson(db: string, args: string[]) {
  const run = runBuiltCli(["import", ...args, "--db", db, "--json"], env);
  return { ...run, files: (JSON.parse(run.stdout) as { files: FileEntry[] }).files };
}

async function query(db: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = createClient({ url: `file:${db}` });
  try {
    return (await client.execute(sql)).rows.map((row) => ({ ...row }));
  } finally {
    client.close();
  }
}
const count = async (db: string, sql: string) => Number(Object.values((await query(db, sql))[0] ?? {})[0]);

describe("piwardrive-edge import (built CLI, real database)", () => {
  const fixtures = allFixtures();
  const db = join(dir, "all.db");
  const expected = fixtures.map(expectedImport);
  const sum = (pick: (e: (typeof expected)[number]) => number) => expected.reduce((n, e) => n + pick(e), 0);

  it("counts the raw fixtures as PROVENANCE.md describes them", () => {
    const of = (relative: string) => expected[fixtures.indexOf(relative)];
    expect(of("wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv")).toMatchObject({
      records: 124,
      wifiNetworks: 55,
    });
    expect(of("wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv")).toMatchObject({
      records: 17,
      cells: 1,
    });
    expect(of("iw-scan/jc_centos-7.7_iw-scan1.out")?.records).toBe(26);
    expect(of("iwlist-scan/node-wifi-scanner_iwlist01_ubuntu1404.txt")?.records).toBe(29);
    expect(of("nmcli/node-wifi-scanner_nmcli01_tabular_de.txt")?.records).toBe(19);
    expect(of("bluetooth/btmgmt-find_hci0_extracted-from-py.txt")?.records).toBe(551);
    expect(of("kismet/kismet-2016.07.R1_20220512-16-52-28_no-gps.netxml")?.records).toBe(17);
    expect(of("gpsd-json/gpsd-regress_bu353s4.log.chk")?.records).toBe(27);
    // PROVENANCE: 90 sentences (GGA/GSA/RMC x25, GSV x15); each is a record, 25 epochs have a fix.
    expect(of("nmea/gpsd-testlog_bu353s4.log")).toMatchObject({ records: 90, gpsFixes: 25 });
  });

  it("imports every fixture with the counts its raw text holds", async () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(19);
    const run = importJson(db, fixtures.map(fixturePath));
    expect(run.status, run.stderr).toBe(0);
    expect(run.files).toHaveLength(fixtures.length);
    run.files.forEach((file, i) => {
      const { path, rejectReasons, ...counts } = file;
      expect(path).toBe(fixturePath(fixtures[i] ?? ""));
      expect({ ...counts, fixture: fixtures[i] }).toEqual({
        ...expected[i],
        skipped: false,
        fixture: fixtures[i],
      });
      expect(Object.values(rejectReasons as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
        file.rejected,
      );
    });
  });

  it("leaves the rows in the database: sightings, fixes and one imported_files row per file", async () => {
    expect(await count(db, "SELECT count(*) FROM observations")).toBe(sum((e) => e.observations));
    // The NMEA and gpsd logs of the BU-353S4 are the same drive, stored once per source.
    expect(await count(db, "SELECT count(*) FROM gps_fixes")).toBe(sum((e) => e.gpsFixes));
    const wifi =
      "SELECT count(DISTINCT mac) FROM observations WHERE kind = 'wifi' AND source IN ('iw', 'iwlist', 'nmcli')";
    expect(await count(db, wifi)).toBeGreaterThanOrEqual(29 + 19);
    const ledger = await query(
      db,
      "SELECT path, records, observations, rejected, metadata FROM imported_files",
    );
    expect(ledger).toHaveLength(fixtures.length);
    for (const [i, fixture] of fixtures.entries()) {
      const row = ledger.find((r) => r.path === fixturePath(fixture));
      const e = expected[i];
      expect([row?.records, row?.observations, row?.rejected]).toEqual([
        e?.records,
        e?.observations,
        e?.rejected,
      ]);
    }
    const bruce = ledger.find((r) => String(r.path).includes("bruce"));
    expect(JSON.parse(String(bruce?.metadata))).toMatchObject({ version: "1.6", brand: "Bruce" });
    const ssids = await query(db, "SELECT count(*) AS n FROM observations WHERE ssid = 'Living Room TV.m,'");
    expect(ssids[0]?.n).toBe(1);
  });

  it("skips a re-import of the same content (even under another name) and adds nothing", async () => {
    const before = await count(db, "SELECT count(*) FROM observations");
    const renamed = join(dir, "renamed.txt");
    copyFileSync(fixturePath("iw-scan/jc_centos-7.7_iw-scan1.out"), renamed);
    const run = importJson(db, [fixturePath("wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv"), renamed]);
    expect(run.status).toBe(0);
    expect(run.files.map((f) => [f.skipped, f.observations, f.format])).toEqual([
      [true, 0, "wigle"],
      [true, 0, "iw"],
    ]);
    expect(await count(db, "SELECT count(*) FROM observations")).toBe(before);
  });

  it("reports an unrecognised and a missing file, exits 1, and still imports the others", async () => {
    const other = join(dir, "bad.db");
    const noise = join(dir, "noise.bin");
    writeFileSync(noise, randomBytes(4096));
    const missing = join(dir, "no-such-file.csv");
    const good = fixturePath("iwlist-scan/node-wifi-scanner_iwlist02_raspi.txt");
    const run = importJson(other, [noise, good, missing]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${noise}: unrecognised format`);
    expect(run.stderr).toContain(`cannot read ${missing}: no such file`);
    expect(run.files.map((f) => [f.path, f.format, f.error === undefined])).toEqual([
      [noise, null, false],
      [good, "iwlist", true],
      [missing, null, false],
    ]);
    expect(await count(other, "SELECT count(*) FROM observations WHERE source = 'iwlist'")).toBe(3);
    expect(await count(other, "SELECT count(*) FROM imported_files")).toBe(1);
  });

  it("detects from content, not the name, and --format forces a reader", async () => {
    const forced = join(dir, "forced.db");
    const misnamed = join(dir, "scan.csv");
    copyFileSync(fixturePath("iw-scan/jc_centos-7.7_iw-scan0.out"), misnamed);
    const chk = fixturePath("gpsd-json/gpsd-regress_bu353s4.log.chk");
    const raw = readFileSync(chk, "latin1");
    const echoedNmea = raw.match(/^\$/gm)?.length ?? 0;
    const jsonLines = raw.match(/^\{/gm)?.length ?? 0;
    expect([echoedNmea, jsonLines]).toEqual([90, 106]);

    const auto = importJson(forced, [misnamed]);
    expect(auto.files[0]).toMatchObject({ format: "iw", records: 2, observations: 2 });
    const asNmea = importJson(forced, [chk, "--format", "nmea"]);
    // Read as NMEA, every echoed sentence is a record and gpsd's JSON lines are corrupt ones, refused.
    expect(asNmea.files[0]).toMatchObject({
      format: "nmea",
      records: echoedNmea + jsonLines,
      gpsFixes: 25,
      rejectReasons: { not_nmea: jsonLines },
    });
    expect(await count(forced, "SELECT count(*) FROM gps_fixes WHERE source = 'nmea'")).toBe(25);
    expect(await count(forced, "SELECT count(*) FROM gps_fixes WHERE source = 'gpsd'")).toBe(0);

    // The wrong reader finds no records: the file is not remembered, so the right one can still import it.
    const wigle = fixturePath("wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv");
    const wrong = importJson(forced, [wigle, "--format", "iw"]);
    expect(wrong.files[0]).toMatchObject({ format: "iw", records: 0, skipped: false });
    expect(wrong.stderr).toContain("no records read as iw; not remembered as imported");
    expect(importJson(forced, [wigle]).files[0]).toMatchObject({
      format: "wigle",
      records: 17,
      skipped: false,
    });
  });

  it("prints a summary table without --json, and rejects an unknown --format", () => {
    const table = runBuiltCli(
      ["import", fixturePath("nmcli/node-wifi-scanner_nmcli01_tabular_de.txt"), "--db", join(dir, "t.db")],
      env,
    );
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^file\s+format\s+records\s+stored\s+wifi/);
    expect(table.stdout).toMatch(/nmcli\s+19\s+19\s+19\s+0\s+0\s+0\s+0\s+imported/);
    expect(table.stdout).toContain("1 imported, 0 skipped, 0 failed: 19 sightings and 0 GPS fixes stored");
    const bad = runBuiltCli(["import", "x", "--format", "csv", "--db", join(dir, "t.db")], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("Allowed choices are auto, wigle, iw");
  });

  it("refuses to write into a SQLite file that is not an edge database", () => {
    const kismet = join(dir, "someone-elses.kismet");
    copyFileSync(
      fixturePath("kismet/kismet-2018.08.BETA1_dbv4_rtlamr_Kismet-20181205-15-11-12-1.kismet"),
      kismet,
    );
    const run = runBuiltCli(
      ["import", fixturePath("iw-scan/jc_centos-7.7_iw-scan0.out"), "--db", kismet],
      env,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("is a SQLite database but not a PiWardrive edge database");
  });
});
