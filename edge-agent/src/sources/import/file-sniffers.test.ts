import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { looksLikeGpsdJson } from "../../gps/parse-gpsd-json.js";
import { looksLikeNmea } from "../../gps/parse-nmea.js";
import { fixturesDir } from "../../test-support/fixtures.js";
import { looksLikeKismetGpsxml } from "../parsers/parse-kismet-gpsxml.js";
import { looksLikeKismetNetxml } from "../parsers/parse-kismet-netxml.js";
import { looksLikeWigleCsv } from "../parsers/parse-wigle-csv.js";
import { looksLikeKismetLog } from "../parsers/read-kismet-log.js";

const SNIFFERS = {
  wigle: looksLikeWigleCsv,
  netxml: looksLikeKismetNetxml,
  gpsxml: looksLikeKismetGpsxml,
  kismet: looksLikeKismetLog,
  gpsd: looksLikeGpsdJson,
  nmea: looksLikeNmea,
} as const;

/** Which sniffer must claim each fixture (by folder and extension); every other fixture: none of these. */
function expectedFormat(relative: string): string | null {
  if (relative.startsWith("wigle-csv/")) return "wigle";
  if (relative.endsWith(".netxml")) return "netxml";
  if (relative.endsWith(".kismet")) return "kismet";
  if (relative.startsWith("gpsd-json/")) return "gpsd";
  if (relative.startsWith("nmea/")) return "nmea";
  return null;
}

const fixtures = readdirSync(fixturesDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name !== "PROVENANCE.md")
  .map((entry) => join(entry.parentPath, entry.name).slice(fixturesDir.length + 1));

describe("format sniffers on every fixture", () => {
  it("sees all fixtures, the other parsers' formats included", () => {
    // PROVENANCE.md lists 19 files.
    expect(fixtures.length).toBeGreaterThanOrEqual(19);
    expect(fixtures.filter((f) => expectedFormat(f) === null).length).toBeGreaterThanOrEqual(9);
  });

  it.each(fixtures)("%s is claimed by its own sniffer only", (relative) => {
    // latin1 keeps every byte of a binary head (SQLite) as one character.
    const head = readFileSync(join(fixturesDir, relative)).subarray(0, 4096).toString("latin1");
    const claimed = Object.entries(SNIFFERS)
      .filter(([, sniff]) => sniff(head))
      .map(([name]) => name);
    const expected = expectedFormat(relative);
    expect(claimed).toEqual(expected === null ? [] : [expected]);
  });
});
