import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { allFixtures, fixtureFormat } from "../../test-support/fixture-counts.js";
import { fixturePath } from "../../test-support/fixtures.js";
import { ImportInputError, MAX_WHOLE_FILE_BYTES } from "../files/file-input.js";
import { FORMATS } from "./format-names.js";
import { DETECTION_ORDER, detectFormat, FORMAT_SPECS } from "./formats.js";

const dir = mkdtempSync(join(tmpdir(), "pw-formats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A name that suggests some other format than the file's own. */
const MISLEADING: Record<string, string> = {
  wigle: "track.nmea",
  iw: "scan.csv",
  iwlist: "Kismet-1.netxml",
  nmcli: "devices.json",
  netxml: "scan.csv",
  kismet: "wigle.csv",
  gpsd: "iw-scan.txt",
  nmea: "scan.csv",
  btmgmt: "capture.kismet",
  bluetoothctl: "nmcli.txt",
};

describe("detectFormat", () => {
  it("asks every format's sniffer, each once", () => {
    expect([...DETECTION_ORDER].sort()).toEqual([...FORMATS].sort());
  });

  it.each(allFixtures())("%s is detected from its content under a misleading name", async (relative) => {
    const expected = fixtureFormat(relative);
    const copy = join(mkdtempSync(join(dir, "f-")), MISLEADING[expected] ?? "x.dat");
    copyFileSync(fixturePath(relative), copy);
    expect(await detectFormat(copy)).toBe(expected);
  });

  it("returns null for random bytes, an empty file, and a SQLite file without a KISMET table", async () => {
    const noise = join(dir, "noise.csv");
    writeFileSync(noise, randomBytes(8192));
    const empty = join(dir, "empty.netxml");
    writeFileSync(empty, "");
    const other = join(dir, "other.kismet");
    const db = createClient({ url: `file:${other}` });
    await db.execute("CREATE TABLE devices (device BLOB)");
    db.close();
    expect(await Promise.all([noise, empty, other].map(detectFormat))).toEqual([null, null, null]);
  });

  it("throws for a missing file", async () => {
    await expect(detectFormat(join(dir, "missing.csv"))).rejects.toThrow(/ENOENT/);
  });
});

describe("format readers", () => {
  const ctx = { capturedAt: Date.UTC(2025, 0, 1), now: Date.UTC(2025, 0, 1) };

  it("refuse a whole-text file over the cap before reading it", async () => {
    const huge = join(dir, "huge-iw.txt");
    writeFileSync(huge, "BSS 00:11:22:33:44:55(on wlan0)\n\tsignal: -40.00 dBm\n");
    truncateSync(huge, MAX_WHOLE_FILE_BYTES + 1);
    expect(await detectFormat(huge)).toBe("iw");
    const read = async () => {
      for await (const _ of FORMAT_SPECS.iw.read(huge, ctx)) expect.unreachable();
    };
    await expect(read()).rejects.toThrow(ImportInputError);
    await expect(read()).rejects.toThrow(
      /is 64\.0 MiB: this format is read whole, and the limit is 64\.0 MiB/,
    );
  });

  it("read a Kismet device list (JSON array) and ekjson lines as the kismet format", async () => {
    const device = (mac: string) => ({
      "kismet.device.base.macaddr": mac,
      "kismet.device.base.phyname": "IEEE802.11",
      "kismet.device.base.type": "Wi-Fi AP",
      "kismet.device.base.last_time": 1_700_000_000,
    });
    const array = join(dir, "devices.json");
    writeFileSync(array, JSON.stringify([device("02:00:00:00:00:01"), device("02:00:00:00:00:02")]));
    const lines = join(dir, "devices.ekjson");
    writeFileSync(lines, `${JSON.stringify(device("02:00:00:00:00:03"))}\n{not json\n`);
    const kinds = async (path: string) => {
      const out: string[] = [];
      for await (const e of FORMAT_SPECS.kismet.read(path, ctx))
        out.push(e.type === "reject" ? e.reason : e.type);
      return out;
    };
    expect(await detectFormat(array)).toBe("kismet");
    expect(await kinds(array)).toEqual(["record", "observation", "record", "observation"]);
    expect(await kinds(lines)).toEqual(["record", "observation", "record", "bad_json"]);
  });
});
