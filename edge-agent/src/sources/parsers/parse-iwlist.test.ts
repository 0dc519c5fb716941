import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readFixture } from "../../test-support/fixtures.js";
import {
  allFixtureFiles,
  expectRecordPairs,
  HOSTILE_NAMES,
  mutatedText,
  summarize,
  testContext,
} from "../../test-support/parser-properties.js";
import { looksLikeIwlistScan, parseIwlistScan } from "./parse-iwlist.js";

const UBUNTU = "iwlist-scan/node-wifi-scanner_iwlist01_ubuntu1404.txt";
const RASPI = "iwlist-scan/node-wifi-scanner_iwlist02_raspi.txt";

const parse = (text: string) => summarize(parseIwlistScan(text, testContext));
const one = (text: string, mac: string) => {
  const found = parse(text).observations.filter((o) => o.mac === mac);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const countCells = (text: string) =>
  text.split(/\r\n|\r|\n/).filter((line) => /^\s*Cell \d+ - Address:/.test(line)).length;

describe("parseIwlistScan on the real fixtures", () => {
  it.each([
    [UBUNTU, 29],
    [RASPI, 3],
  ])("reads every cell of %s", (file, listed) => {
    const text = readFixture(file);
    expect(countCells(text)).toBe(listed);
    const { records, observations, rejects } = parse(text);
    expect(records).toBe(listed);
    expect(observations).toHaveLength(listed);
    expect(rejects).toEqual([]);
  });

  it("converts a bare quality ratio (Signal level=56/100) and marks it estimated", () => {
    const text = readFixture(UBUNTU);
    expect(one(text, "00:35:1a:6f:0f:40")).toMatchObject({
      ssid: "TEST-Wifi",
      frequencyMhz: 2437,
      channel: 6,
      rssiDbm: -72,
      rssiEstimated: true,
      authMode: "WPA2",
      seenAt: testContext.capturedAt,
      kind: "wifi",
      source: "iwlist",
      lat: null,
    });
    expect(parse(text).observations.every((o) => o.rssiEstimated)).toBe(true);
  });

  it("reads the 15 <hidden> ESSIDs as null", () => {
    const text = readFixture(UBUNTU);
    const hidden = text.match(/ESSID:"<hidden>"/g)?.length ?? 0;
    expect(hidden).toBe(15);
    expect(parse(text).observations.filter((o) => o.ssid === null)).toHaveLength(hidden);
  });

  it("reads a WPA1-only IE, and a key with no WPA/RSN IE as WEP", () => {
    const text = readFixture(UBUNTU);
    expect(one(text, "10:bd:18:ab:4d:8f")).toMatchObject({
      ssid: "TEST Training",
      authMode: "WPA",
      rssiDbm: -78,
    });
    expect(one(text, "00:f2:8b:8f:58:7a")).toMatchObject({ ssid: null, authMode: "WEP", channel: 11 });
  });

  it("keeps dBm when given next to Quality=, reads both IEs and the last-beacon age (Raspberry Pi driver)", () => {
    const text = readFixture(RASPI);
    expect(text).toContain("Quality=34/70  Signal level=-76 dBm");
    expect(one(text, "d4:d1:84:50:76:45")).toMatchObject({
      ssid: "gsy-97796",
      channel: 6,
      frequencyMhz: 2437,
      rssiDbm: -76,
      rssiEstimated: false,
      authMode: "WPA/WPA2",
      seenAt: testContext.capturedAt - 17180,
    });
    expect(one(text, "7c:b7:33:ae:3b:05")).toMatchObject({
      ssid: "visitor-18170",
      authMode: "WPA2",
      rssiDbm: -70,
    });
  });
});

describe("parseIwlistScan on edge cases", () => {
  const cell = (mac: string, ...body: string[]) =>
    [`          Cell 01 - Address: ${mac}`, ...body.map((l) => `                    ${l}`)].join("\n");

  it("treats <hidden>, an escaped NUL and an empty ESSID alike, and off/any too", () => {
    const text = ['ESSID:"<hidden>"', 'ESSID:"\\x00"', 'ESSID:""', "ESSID:off/any/hidden", 'ESSID:"x"'].map(
      (e, i) => cell(`00:11:22:33:44:5${i}`, e),
    );
    expect(parse(text.join("\n")).observations.map((o) => o.ssid)).toEqual([null, null, null, null, "x"]);
  });

  it("decodes wireless-tools 30 byte escapes: upper-case \\xHH, and \\x5C for a backslash", () => {
    const ssidOf = (essid: string) =>
      parse(cell("00:11:22:33:44:55", `ESSID:"${essid}"`)).observations[0]?.ssid;
    expect(ssidOf("Caf\\xC3\\xA9")).toBe("Café");
    expect(ssidOf("\\x5Cx41")).toBe("\\x41");
    expect(ssidOf("\\xEF\\xBB\\xBFbom")).toBe("\uFEFFbom");
    expect(ssidOf("tab\\x09")).toBe("tab\t");
  });

  it("keeps hostile ESSIDs exactly, inner quotes included", () => {
    for (const name of HOSTILE_NAMES) {
      expect(parse(cell("00:11:22:33:44:55", `ESSID:"${name}"`)).observations[0]?.ssid).toBe(name);
    }
  });

  it("reads Channel:, MHz frequencies, 802.1x and SAE (unknown (8)) suites, Encryption key:off", () => {
    const text = [
      cell("00:11:22:33:44:50", "Channel:11", "Encryption key:off"),
      cell(
        "00:11:22:33:44:51",
        "Frequency:5180 MHz",
        "IE: IEEE 802.11i/WPA2 Version 1",
        "    Authentication Suites (1) : 802.1x",
      ),
      cell(
        "00:11:22:33:44:52",
        "IE: IEEE 802.11i/WPA2 Version 1",
        "    Authentication Suites (1) : unknown (8)",
      ),
    ].join("\n");
    expect(parse(text).observations.map((o) => [o.channel, o.frequencyMhz, o.authMode])).toEqual([
      [11, null, "OPEN"],
      [36, 5180, "WPA2-EAP"],
      [null, null, "WPA3"],
    ]);
  });

  it("rejects redacted MACs and unusable signals with a reason", () => {
    const text = [
      cell("XX:XX:XX:XX:XX:XX", 'ESSID:"a"'),
      cell("00:11:22:33:44:55", "Quality=80/70  Signal level=-300 dBm"),
      cell("00:11:22:33:44:56", "Quality:4/5  Signal level:-57 dBm  Noise level:-92 dBm"),
    ].join("\n");
    const { rejects, observations } = parse(text);
    expect(rejects.map((r) => r.reason)).toEqual(["mac_redacted", "signal_invalid"]);
    expect(observations.map((o) => [o.rssiDbm, o.rssiEstimated])).toEqual([[-57, false]]);
  });
});

describe("parseIwlistScan never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        expectRecordPairs([...parseIwlistScan(text, testContext)]);
      }),
    );
  });

  it.each([UBUNTU, RASPI])("on mutated %s", (file) => {
    fc.assert(
      fc.property(mutatedText(readFixture(file)), (text) => {
        const events = [...parseIwlistScan(text, testContext)];
        expectRecordPairs(events);
        expect(summarize(events).records).toBe(countCells(text));
      }),
      { numRuns: 60 },
    );
  });
});

describe("looksLikeIwlistScan", () => {
  it("claims the iwlist fixtures and no other fixture", () => {
    for (const file of allFixtureFiles()) {
      const claimed = looksLikeIwlistScan(readFixture(file).slice(0, 4096));
      expect([file, claimed]).toEqual([file, file.startsWith("iwlist-scan/")]);
    }
  });
});
