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
import { looksLikeBtmgmtFind, parseBtmgmtFind } from "./parse-btmgmt.js";

const FIND = "bluetooth/btmgmt-find_hci0_extracted-from-py.txt";
const parse = (text: string) => summarize(parseBtmgmtFind(text, testContext));
const count = (text: string, re: RegExp) => text.split(/\r\n|\r|\n/).filter((line) => re.test(line)).length;

describe("parseBtmgmtFind on the real capture", () => {
  const text = readFixture(FIND);

  it("yields one observation per dev_found line (551) and nothing for the banner lines", () => {
    const devFound = count(text, / dev_found: /);
    expect(devFound).toBe(551);
    const { records, observations, rejects } = parse(text);
    expect(records).toBe(devFound);
    expect(observations).toHaveLength(devFound);
    expect(rejects).toEqual([]);
  });

  it("maps LE Random and LE Public to ble and BR/EDR to bt, in the fixture's proportions", () => {
    const { observations } = parse(text);
    const kinds = (type: string) => observations.filter((o) => o.capabilities === type).map((o) => o.kind);
    expect(kinds("LE Random")).toEqual(Array(count(text, /type LE Random /)).fill("ble"));
    expect(kinds("LE Public")).toEqual(Array(count(text, /type LE Public /)).fill("ble"));
    expect(kinds("BR/EDR")).toEqual(["bt"]);
    expect([kinds("LE Random").length, kinds("LE Public").length]).toEqual([511, 39]);
  });

  it("takes the name from the following name line, null when it is empty", () => {
    const { observations } = parse(text);
    expect(observations.find((o) => o.mac === "5d:0d:80:ed:44:c8")).toMatchObject({
      ssid: "LE_WH-1000XM5",
      rssiDbm: -84,
      kind: "ble",
      source: "btmgmt",
      seenAt: testContext.capturedAt,
      lat: null,
    });
    // A dual-mode monitor: seen over LE Public six times, then once over BR/EDR (the last dev_found).
    const monitor = observations.filter((o) => o.mac === "64:e7:d8:88:25:d9");
    expect(monitor.map((o) => o.kind)).toEqual(["ble", "ble", "ble", "ble", "ble", "ble", "bt"]);
    expect(monitor.at(-1)).toMatchObject({ ssid: "[Monitor] Samsung M5 (32)", rssiDbm: -66 });
    expect(observations.filter((o) => o.ssid !== null)).toHaveLength(count(text, /^name ./));
    expect(count(text, /^name$/)).toBeGreaterThan(0);
    expect(observations.filter((o) => o.ssid === "JBL Xtreme 3")).toHaveLength(2);
  });
});

describe("parseBtmgmtFind on edge cases", () => {
  const dev = (mac: string, rest: string, ...body: string[]) =>
    [`hci0 dev_found: ${mac} ${rest}`, ...body].join("\n");

  it("rejects malformed addresses, unknown types and impossible RSSI; 127 means no reading", () => {
    const text = [
      dev("XX:XX:XX:XX:XX:XX", "type LE Random rssi -50 flags 0x0000"),
      dev("00:11:22:33:44:55", "type Mesh rssi -50 flags 0x0000"),
      dev("00:11:22:33:44:56", "type LE Public rssi -500 flags 0x0000"),
      dev("00:11:22:33:44:57", "type LE Public rssi 127 flags 0x0000"),
    ].join("\n");
    const { rejects, observations } = parse(text);
    expect(rejects.map((r) => [r.reason, r.line])).toEqual([
      ["mac_redacted", 1],
      ["device_type_unknown", 2],
      ["signal_invalid", 3],
    ]);
    expect(observations.map((o) => [o.mac, o.rssiDbm])).toEqual([["00:11:22:33:44:57", null]]);
  });

  it("keeps hostile device names exactly", () => {
    for (const name of [...HOSTILE_NAMES, " padded ", "a\u0000b"]) {
      const [obs] = parse(
        dev("00:11:22:33:44:55", "type LE Random rssi -50 flags 0x0000", "AD flags 0x06", `name ${name}`),
      ).observations;
      expect(obs?.ssid).toBe(name);
    }
  });
});

describe("parseBtmgmtFind never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        expectRecordPairs([...parseBtmgmtFind(text, testContext)]);
      }),
    );
  });

  it("on mutated fixture text", () => {
    fc.assert(
      fc.property(mutatedText(readFixture(FIND)), (text) => {
        const events = [...parseBtmgmtFind(text, testContext)];
        expectRecordPairs(events);
        expect(summarize(events).records).toBe(count(text, / dev_found:/));
      }),
      { numRuns: 40 },
    );
  });
});

describe("looksLikeBtmgmtFind", () => {
  it("claims the btmgmt fixture and no other fixture", () => {
    for (const file of allFixtureFiles()) {
      expect([file, looksLikeBtmgmtFind(readFixture(file).slice(0, 4096))]).toEqual([file, file === FIND]);
    }
  });
});
