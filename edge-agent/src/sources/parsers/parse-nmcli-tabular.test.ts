import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readFixture } from "../../test-support/fixtures.js";
import {
  expectRecordPairs,
  mutatedText,
  summarize,
  testContext,
} from "../../test-support/parser-properties.js";
import { parseNmcliTabular } from "./parse-nmcli-tabular.js";

const GERMAN = "nmcli/node-wifi-scanner_nmcli01_tabular_de.txt";
const parse = (text: string) => summarize(parseNmcliTabular(text, testContext));
const dataLines = (text: string) => text.split(/\r\n|\r|\n/).filter((line) => line.trim() !== "").length - 1;

/** Builds nmcli-style fixed-width output: every column padded to its width plus two spaces. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => (r[k] ?? "").length)) + 2);
  return rows.map((r) => r.map((cell, k) => cell.padEnd(widths[k]!)).join("")).join("\n");
}

describe("parseNmcliTabular on the German fixture", () => {
  it("reads all 19 APs whatever the header language", () => {
    const text = readFixture(GERMAN);
    expect(text.split("\n")[0]).toMatch(/FREQUENZ/);
    expect(dataLines(text)).toBe(19);
    const { records, observations, rejects } = parse(text);
    expect(records).toBe(19);
    expect(observations).toHaveLength(19);
    expect(rejects).toEqual([]);
  });

  it("strips the single quotes, converts the percentage and derives the channel from FREQ", () => {
    const text = readFixture(GERMAN);
    const pick = (mac: string) => parse(text).observations.find((o) => o.mac === mac);
    expect(pick("00:35:1a:90:56:06")).toMatchObject({
      ssid: "PDANet1",
      frequencyMhz: 2412,
      channel: 1,
      rssiDbm: -50,
      rssiEstimated: true,
      authMode: null,
      seenAt: testContext.capturedAt,
      kind: "wifi",
      source: "nmcli",
      lat: null,
    });
    expect(pick("00:f2:8b:8f:58:75")).toMatchObject({ ssid: "ExoNet1", channel: 11, rssiDbm: -64 });
    expect(parse(text).observations.filter((o) => o.ssid?.includes("'"))).toEqual([]);
  });

  it("reads the same rows without their header line", () => {
    const text = readFixture(GERMAN).split("\n").slice(1).join("\n");
    expect(parse(text).observations.map((o) => o.ssid)).toEqual(
      parse(readFixture(GERMAN)).observations.map((o) => o.ssid),
    );
  });
});

describe("parseNmcliTabular on other layouts", () => {
  const defaultLayout = table([
    ["IN-USE", "BSSID", "SSID", "MODE", "CHAN", "RATE", "SIGNAL", "BARS", "SECURITY"],
    ["*", "AA:BB:CC:DD:EE:01", "Home  Net", "Infra", "6", "130 Mbit/s", "82", "▂▄▆█", "WPA2"],
    ["", "AA:BB:CC:DD:EE:02", "--", "Infra", "11", "54 Mbit/s", "40", "▂▄__", "WPA1 WPA2"],
    ["", "AA:BB:CC:DD:EE:03", "'quoted'", "Infra", "36", "270 Mbit/s", "30", "▂___", "--"],
    ["", "XX:XX:XX:XX:XX:XX", "redacted", "Infra", "1", "54 Mbit/s", "30", "▂___", "--"],
  ]);

  it("finds BSSID, SSID, CHAN, SIGNAL and SECURITY by the shape of their values", () => {
    const { observations, rejects } = parse(defaultLayout);
    expect(observations.map((o) => [o.mac, o.ssid, o.channel, o.rssiDbm, o.authMode])).toEqual([
      ["aa:bb:cc:dd:ee:01", "Home  Net", 6, -59, "WPA2"],
      ["aa:bb:cc:dd:ee:02", null, 11, -80, "WPA/WPA2"],
      ["aa:bb:cc:dd:ee:03", "'quoted'", 36, -85, "OPEN"],
    ]);
    expect(rejects.map((r) => [r.reason, r.line])).toEqual([["mac_redacted", 5]]);
  });

  it("tells CHAN from SIGNAL by agreement with FREQ, whatever their order", () => {
    const text = table([
      ["SIGNAL", "FREQ", "CHAN", "BSSID", "SSID"],
      ["11", "2437 MHz", "6", "AA:BB:CC:DD:EE:01", "a"],
      ["60", "5180 MHz", "36", "AA:BB:CC:DD:EE:02", "b"],
    ]);
    expect(parse(text).observations.map((o) => [o.channel, o.rssiDbm])).toEqual([
      [6, -94],
      [36, -70],
    ]);
  });

  it("re-aligns a row whose cut falls inside a value (padded otherwise than nmcli pads)", () => {
    // BSSID starts on cell 12 in the header but on cell 10 here (日本語 is 6 cells): not nmcli's layout,
    // as when our width table and nmcli's disagree; each run then goes to the nearest column start.
    const header = "SSID        BSSID              SIGNAL  ";
    const wide = "日本語    AA:BB:CC:DD:EE:01  70      ";
    const [obs] = parse(`${header}\n${wide}`).observations;
    expect(obs).toMatchObject({ ssid: "日本語", mac: "aa:bb:cc:dd:ee:01", rssiDbm: -65 });
  });

  it("rejects a row without a BSSID column and an unreadable signal", () => {
    expect(parse("SSID    SIGNAL\nfoo     50").rejects.map((r) => r.reason)).toEqual(["no_mac"]);
    const badSignal = table([
      ["BSSID", "SIGNAL"],
      ["AA:BB:CC:DD:EE:01", "50"],
      ["AA:BB:CC:DD:EE:02", "500"],
    ]);
    expect(parse(badSignal).rejects.map((r) => r.reason)).toEqual(["signal_invalid"]);
  });
});

describe("parseNmcliTabular never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        expectRecordPairs([...parseNmcliTabular(text, testContext)]);
      }),
    );
  });

  it("on mutated fixture text", () => {
    fc.assert(
      fc.property(mutatedText(readFixture(GERMAN)), (text) => {
        const events = [...parseNmcliTabular(text, testContext)];
        expectRecordPairs(events);
        // Every non-blank line is a record except the header, unless the header itself was deleted.
        const nonBlank = dataLines(text) + 1;
        expect([nonBlank - 1, nonBlank]).toContain(summarize(events).records);
      }),
      { numRuns: 100 },
    );
  });
});
