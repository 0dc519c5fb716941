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
import { looksLikeIwScan, parseIwScan } from "./parse-iw.js";

const FIXTURES = [
  "iw-scan/jc_centos-7.7_iw-scan0.out",
  "iw-scan/jc_centos-7.7_iw-scan1.out",
  "iw-scan/p4wnp1_iw-wlan0-scan_extracted-from-go.txt",
] as const;

const parse = (text: string) => summarize(parseIwScan(text, testContext));
const byMac = (text: string, mac: string) => parse(text).observations.filter((o) => o.mac === mac);
const one = (text: string, mac: string) => {
  const [first, ...rest] = byMac(text, mac);
  expect(rest).toHaveLength(0);
  if (!first) throw new Error(`no observation for ${mac}`);
  return first;
};

describe("parseIwScan on the real fixtures", () => {
  it.each(FIXTURES)("reads every BSS block of %s", (file) => {
    const text = readFixture(file);
    const bssLines = text.match(/^BSS /gm)?.length ?? 0;
    const { records, observations, rejects } = parse(text);
    expect(records).toBe(bssLines);
    expect(observations).toHaveLength(bssLines);
    expect(rejects).toEqual([]);
  });

  it("matches the BSS counts PROVENANCE.md lists", () => {
    expect(FIXTURES.map((f) => parse(readFixture(f)).observations.length)).toEqual([2, 26, 11]);
  });

  it("reads the old layout of scan0: space before (on, 4-space indent, no trailing newline", () => {
    const text = readFixture("iw-scan/jc_centos-7.7_iw-scan0.out");
    expect(text.endsWith("\n")).toBe(false);
    expect(one(text, "00:19:a9:cd:c6:80")).toMatchObject({
      ssid: "Cisco1240",
      frequencyMhz: 2412,
      channel: 1,
      rssiDbm: -45,
      rssiEstimated: false,
      authMode: "OPEN",
      seenAt: testContext.capturedAt - 429,
      kind: "wifi",
      source: "iw",
      lat: null,
      lon: null,
    });
    // The last block runs to the end of the file without a newline.
    expect(one(text, "d0:d0:fd:69:ca:70")).toMatchObject({ ssid: "Cisco1250", channel: 11, rssiDbm: -70 });
  });

  it("reads scan1: hidden SSID of 21 escaped NULs is null, the associated BSS, German names", () => {
    const text = readFixture("iw-scan/jc_centos-7.7_iw-scan1.out");
    expect(text).toContain(`SSID: ${"\\x00".repeat(21)}\n`);
    expect(one(text, "fe:49:2d:20:d8:21")).toMatchObject({
      ssid: null,
      authMode: "WPA2",
      rssiDbm: -67,
      channel: 1,
      seenAt: testContext.capturedAt - 29170,
    });
    expect(text).toMatch(/^BSS ac:22:05:e6:ff:24\(on wlan0\) -- associated$/m);
    expect(one(text, "ac:22:05:e6:ff:24")).toMatchObject({
      ssid: "UPCCDB29F5",
      frequencyMhz: 5180,
      channel: 36,
      rssiDbm: -30,
      authMode: "WPA/WPA2",
    });
    expect(one(text, "54:fa:3e:87:1f:93")).toMatchObject({ ssid: "moin moin", channel: 13 });
    expect(one(text, "ac:22:05:db:4d:5b")).toMatchObject({ ssid: "Hoeheitsgebiet", authMode: "WPA/WPA2" });
    expect(one(text, "ae:22:15:db:4d:5b")).toMatchObject({ ssid: "Vodafone Hotspot", authMode: "OPEN" });
    const rssi = parse(text).observations.map((o) => o.rssiDbm ?? 0);
    expect([Math.min(...rssi), Math.max(...rssi)]).toEqual([-89, -30]);
    expect(parse(text).observations.filter((o) => o.ssid === null)).toHaveLength(1);
  });

  it("reads scan1's 5 GHz BSSs (5180/5200/5220 MHz) as channels 36/40/44, up to the unterminated last line", () => {
    const text = readFixture("iw-scan/jc_centos-7.7_iw-scan1.out");
    expect(text.endsWith("\n")).toBe(false);
    const fiveGhz = parse(text).observations.filter((o) => (o.frequencyMhz ?? 0) > 5000);
    expect(fiveGhz).toHaveLength(text.match(/^\s+freq: 5\d{3}$/gm)?.length ?? -1);
    expect(new Set(fiveGhz.map((o) => `${o.frequencyMhz}:${o.channel}`))).toEqual(
      new Set(["5180:36", "5200:40", "5220:44"]),
    );
    expect(parse(text).observations.at(-1)).toMatchObject({ mac: "1c:b0:44:75:42:a8", ssid: "o2-WLAN38" });
  });

  it("reads an AKM printed as a raw selector (00-0f-ac:8 is SAE) as WPA2/WPA3 transition mode", () => {
    const text = readFixture("iw-scan/jc_centos-7.7_iw-scan1.out");
    expect(text).toContain("Authentication suites: PSK 00-0f-ac:8");
    expect(one(text, "34:31:c4:b8:2e:85")).toMatchObject({ ssid: "Nexus", authMode: "WPA2/WPA3" });
  });

  it("reads the tab-indented P4wnP1 capture, with a BSSID seen on two channels", () => {
    const text = readFixture("iw-scan/p4wnp1_iw-wlan0-scan_extracted-from-go.txt");
    const twice = byMac(text, "4e:66:41:a0:5b:35");
    expect(twice.map((o) => [o.ssid, o.channel, o.rssiDbm])).toEqual([
      ["Android AP8905", 6, -43],
      ["AndroidAP8905", 11, -35],
    ]);
    expect(one(text, "24:65:11:89:1c:28")).toMatchObject({
      ssid: "spycki3",
      authMode: "WPA/WPA2",
      rssiDbm: -40,
    });
    expect(one(text, "c0:25:06:eb:8e:7d").ssid).toBe("FRITZ!Box Fon WLAN 7390");
    const fon = parse(text).observations.filter((o) => o.ssid === "Telekom_FON");
    expect(fon.map((o) => o.authMode)).toEqual(["OPEN", "OPEN"]);
  });
});

describe("parseIwScan on edge cases", () => {
  const bss = (header: string, ...body: string[]) => [header, ...body.map((l) => `\t${l}`)].join("\n");

  it("rejects redacted, malformed and missing BSSIDs with the normalizeMac reason", () => {
    const text = [
      bss("BSS xx:xx:xx:xx:xx:xx(on wlan0)", "SSID: a"),
      bss("BSS 00:11:22:33:44(on wlan0)", "SSID: b"),
      bss("BSS (on wlan0)", "SSID: c"),
      bss("BSS 00:11:22:33:44:55(on wlan0)", "SSID: d"),
    ].join("\n");
    const { records, observations, rejects } = parse(text);
    expect(records).toBe(4);
    expect(rejects.map((r) => [r.reason, r.line])).toEqual([
      ["mac_redacted", 1],
      ["mac_malformed", 3],
      ["mac_missing", 5],
    ]);
    expect(observations.map((o) => o.ssid)).toEqual(["d"]);
  });

  it("maps RSN AKM suites: SAE alone is WPA3, 802.1X is enterprise, Privacy alone is WEP", () => {
    const auth = (...body: string[]) =>
      parse(bss("BSS 00:11:22:33:44:55(on wlan0)", ...body)).observations[0]?.authMode;
    const rsn = (suites: string) => [
      "capability: ESS Privacy (0x0011)",
      "RSN:\t * Version: 1",
      `\t * Authentication suites: ${suites}`,
    ];
    expect(auth(...rsn("SAE"))).toBe("WPA3");
    expect(auth(...rsn("PSK SAE"))).toBe("WPA2/WPA3");
    expect(auth(...rsn("IEEE 802.1X"))).toBe("WPA2-EAP");
    expect(auth(...rsn("IEEE 802.1X/SUITE-B-192"))).toBe("WPA3-EAP");
    expect(auth(...rsn("OWE"))).toBe("OWE");
    expect(auth("capability: ESS Privacy (0x0011)")).toBe("WEP");
    expect(auth("SSID: no capability line")).toBeNull();
  });

  it("decodes iw's byte escapes into UTF-8 and keeps hostile names exactly", () => {
    const ssidOf = (escaped: string) =>
      parse(bss("BSS 00:11:22:33:44:55(on wlan0)", `SSID: ${escaped}`)).observations[0]?.ssid;
    expect(ssidOf("M\\xc3\\xbcller")).toBe("Müller");
    expect(ssidOf("\\x20lead")).toBe(" lead");
    expect(ssidOf("a\\x00b")).toBe("a\u0000b");
    expect(ssidOf("\\xff\\xfe")).toBe("\\xff\\xfe");
    for (const name of HOSTILE_NAMES) expect(ssidOf(name)).toBe(name);
  });

  it("refuses an unreadable signal and an implausible last-seen age", () => {
    const text = [
      bss("BSS 00:11:22:33:44:55(on wlan0)", "signal: -x dBm"),
      bss("BSS 00:11:22:33:44:56(on wlan0)", "last seen: 99999999999999 ms ago"),
    ].join("\n");
    expect(parse(text).rejects.map((r) => r.reason)).toEqual(["signal_invalid", "time_too_old"]);
  });

  it("reads CRLF output and the newer `last seen: N.s [boottime]` line without using it", () => {
    const text = bss(
      "BSS 00:11:22:33:44:55(on wlan0)",
      "last seen: 710.456s [boottime]",
      "freq: 2437",
      "last seen: 20 ms ago",
    );
    const [obs] = parse(text.replaceAll("\n", "\r\n")).observations;
    expect(obs).toMatchObject({ channel: 6, seenAt: testContext.capturedAt - 20 });
  });
});

describe("parseIwScan never throws", () => {
  it("on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => {
        expectRecordPairs([...parseIwScan(text, testContext)]);
      }),
    );
  });

  it.each(FIXTURES)("on mutated %s", (file) => {
    fc.assert(
      fc.property(mutatedText(readFixture(file)), (text) => {
        const events = [...parseIwScan(text, testContext)];
        expectRecordPairs(events);
        const bssLines = text.split(/\r\n|\r|\n/).filter((line) => line.startsWith("BSS "));
        expect(summarize(events).records).toBe(bssLines.length);
      }),
      { numRuns: 60 },
    );
  });
});

describe("looksLikeIwScan", () => {
  it("claims the iw fixtures and no other fixture", () => {
    for (const file of allFixtureFiles()) {
      expect([file, looksLikeIwScan(readFixture(file).slice(0, 4096))]).toEqual([
        file,
        file.startsWith("iw-scan/"),
      ]);
    }
  });
});
