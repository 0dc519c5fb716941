import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readFixture } from "../../test-support/fixtures.js";
import {
  allFixtureFiles,
  expectRecordPairs,
  HOSTILE_NAMES,
  summarize,
  testContext,
} from "../../test-support/parser-properties.js";
import {
  looksLikeNmcli,
  NMCLI_SCAN_COMMAND,
  NMCLI_TERSE_FIELDS,
  parseNmcli,
  parseNmcliTerse,
} from "./parse-nmcli.js";

const parse = (text: string) => summarize(parseNmcli(text, testContext));
/** Escapes a value the way `nmcli -t -e yes` does. */
const esc = (value: string) => value.replaceAll("\\", "\\\\").replaceAll(":", "\\:");
const terse = (...fields: string[]) => fields.map(esc).join(":");

describe("nmcli scan request", () => {
  it("asks for the terse fields parseNmcliTerse reads, with escaping on", () => {
    expect(NMCLI_TERSE_FIELDS).toEqual(["BSSID", "SSID", "CHAN", "FREQ", "SIGNAL", "SECURITY"]);
    expect(NMCLI_SCAN_COMMAND.join(" ")).toBe(
      "nmcli -t -e yes -f BSSID,SSID,CHAN,FREQ,SIGNAL,SECURITY dev wifi list",
    );
  });
});

describe("parseNmcliTerse", () => {
  const sample = [
    terse("AA:BB:CC:DD:EE:01", "Home", "6", "2437 MHz", "82", "WPA2"),
    terse("AA:BB:CC:DD:EE:02", "", "36", "5180 MHz", "40", "WPA2 WPA3"),
    terse("AA:BB:CC:DD:EE:03", "a:b\\c", "11", "2462 MHz", "100", ""),
    terse("AA:BB:CC:DD:EE:04", "--", "1", "2412 MHz", "0", "WPA2 802.1X"),
  ].join("\n");

  it("splits on unescaped colons only and maps each field", () => {
    expect(sample.split("\n")[0]).toBe("AA\\:BB\\:CC\\:DD\\:EE\\:01:Home:6:2437 MHz:82:WPA2");
    const { records, observations } = parse(sample);
    expect(records).toBe(4);
    expect(
      observations.map((o) => [o.mac, o.ssid, o.channel, o.frequencyMhz, o.rssiDbm, o.authMode]),
    ).toEqual([
      ["aa:bb:cc:dd:ee:01", "Home", 6, 2437, -59, "WPA2"],
      ["aa:bb:cc:dd:ee:02", null, 36, 5180, -80, "WPA2/WPA3"],
      ["aa:bb:cc:dd:ee:03", "a:b\\c", 11, 2462, -50, "OPEN"],
      ["aa:bb:cc:dd:ee:04", null, 1, 2412, -100, "WPA2-EAP"],
    ]);
    expect(observations.every((o) => o.rssiEstimated && o.source === "nmcli" && o.lat === null)).toBe(true);
  });

  it("keeps hostile SSIDs exactly, NULs included", () => {
    for (const name of [...HOSTILE_NAMES, "a\u0000b", "x:y:z"]) {
      const [obs] = parse(terse("AA:BB:CC:DD:EE:01", name, "6", "2437 MHz", "50", "WPA2")).observations;
      expect(obs?.ssid).toBe(name);
    }
  });

  it("rejects wrong field counts, redacted BSSIDs and unreadable signals", () => {
    const text = [
      "AA\\:BB\\:CC\\:DD\\:EE\\:01:Home:6",
      terse("XX:XX:XX:XX:XX:XX", "x", "6", "2437 MHz", "50", ""),
      terse("AA:BB:CC:DD:EE:02", "x", "6", "2437 MHz", "150", ""),
    ].join("\r\n");
    expect(summarize(parseNmcliTerse(text, testContext)).rejects.map((r) => [r.reason, r.line])).toEqual([
      ["field_count", 1],
      ["mac_redacted", 2],
      ["signal_invalid", 3],
    ]);
  });

  it("never throws on arbitrary text or on lines built from arbitrary fields", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        expectRecordPairs([...parseNmcliTerse(text, testContext)]);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "binary", maxLength: 20 }), { minLength: 6, maxLength: 6 }),
        (fields) => {
          const events = [
            ...parseNmcli(`AA\\:BB\\:CC\\:DD\\:EE\\:01:${fields.map(esc).join(":")}`, testContext),
          ];
          expectRecordPairs(events);
        },
      ),
    );
  });
});

describe("parseNmcli", () => {
  it("reads the tabular fixture through the same entry point", () => {
    const { observations } = parse(readFixture("nmcli/node-wifi-scanner_nmcli01_tabular_de.txt"));
    expect(observations).toHaveLength(19);
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        expectRecordPairs([...parseNmcli(text, testContext)]);
      }),
    );
  });
});

describe("looksLikeNmcli", () => {
  it("claims the nmcli fixture and no other fixture", () => {
    for (const file of allFixtureFiles()) {
      expect([file, looksLikeNmcli(readFixture(file).slice(0, 4096))]).toEqual([
        file,
        file.startsWith("nmcli/"),
      ]);
    }
  });

  it("claims terse output", () => {
    expect(looksLikeNmcli(terse("AA:BB:CC:DD:EE:01", "Home", "6", "2437 MHz", "82", "WPA2"))).toBe(true);
  });
});
