import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  expectedNmcliFields,
  NMCLI_AUTH_MODES,
  NMCLI_LOCALES,
  type NmcliLocale,
  type NmcliNetwork,
  nmcliTable,
  nmcliWifiList,
  WIDE_SSID_NETWORKS,
} from "../../test-support/nmcli-table.js";
import { summarize, testContext } from "../../test-support/parser-properties.js";
import { looksLikeNmcli, parseNmcli } from "./parse-nmcli.js";

const parse = (text: string) => summarize(parseNmcli(text, testContext));

/** The fields of an observation that nmcli's columns carry. */
const fieldsOf = (o: ObservationRecord) => ({
  mac: o.mac,
  ssid: o.ssid,
  channel: o.channel,
  frequencyMhz: o.frequencyMhz,
  rssiDbm: o.rssiDbm,
  authMode: o.authMode,
});

describe("nmcli tabular output laid out in terminal cells", () => {
  it("pads by cells: the generated layout is nmcli's, columns two spaces apart at equal cells", () => {
    const text = nmcliTable(
      ["IN-USE", "SSID", "MODE", "SIGNAL"],
      [
        [" ", "東京", "インフラ", "90"],
        ["*", "ab", "Infra", "5"],
      ],
    );
    expect(text).toBe(
      [
        "IN-USE  SSID  MODE      SIGNAL ",
        "        東京  インフラ  90     ",
        "*       ab    Infra     5      ",
        "",
      ].join("\n"),
    );
  });

  for (const [name, locale] of Object.entries(NMCLI_LOCALES) as [string, NmcliLocale][]) {
    for (const inUse of [-1, 2]) {
      it(`reads every row of a ${name} scan with wide SSIDs (${inUse < 0 ? "no" : "one"} in-use row)`, () => {
        const text = nmcliWifiList(locale, WIDE_SSID_NETWORKS, inUse);
        expect(looksLikeNmcli(text)).toBe(true);
        const { records, observations, rejects } = parse(text);
        expect(rejects).toEqual([]);
        expect(records).toBe(WIDE_SSID_NETWORKS.length);
        expect(observations.map(fieldsOf)).toEqual(WIDE_SSID_NETWORKS.map(expectedNmcliFields));
        expect(observations.every((o) => o.source === "nmcli" && o.rssiEstimated)).toBe(true);
      });
    }
  }

  it("reads a layout without IN-USE, SECURITY or CHAN, the channel then coming from FREQ", () => {
    const text = nmcliTable(
      ["SSID", "BSSID", "FREQ", "SIGNAL"],
      WIDE_SSID_NETWORKS.map((n) => [n.ssid, n.bssid, `${n.freqMhz} MHz`, String(n.signal)]),
    );
    expect(looksLikeNmcli(text)).toBe(true);
    expect(parse(text).observations.map((o) => [o.ssid, o.channel, o.authMode])).toEqual(
      WIDE_SSID_NETWORKS.map((n) => [expectedNmcliFields(n).ssid, n.chan, null]),
    );
  });

  it("reads the same rows when the header line was cut off", () => {
    const text = nmcliWifiList(NMCLI_LOCALES.ja, WIDE_SSID_NETWORKS).split("\n").slice(1).join("\n");
    const { observations, rejects } = parse(text);
    expect(rejects).toEqual([]);
    expect(observations.map((o) => o.ssid)).toEqual(
      WIDE_SSID_NETWORKS.map((n) => expectedNmcliFields(n).ssid),
    );
  });
});

/** Printable code points: any but controls and lone surrogates, with the tricky kinds drawn often. */
const ssidChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  {
    weight: 4,
    arbitrary: fc
      .integer({ min: 0xa0, max: 0x10ffff })
      .filter(printable)
      .map((c) => String.fromCodePoint(c)),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "日",
      "ア",
      "한",
      "Ａ",
      "　",
      "😀",
      "👨‍👩‍👧",
      "🏳️‍🌈",
      "\u0301",
      "\u200d",
      "\u200b",
      "\u00ad",
      "\u1161",
      "\ufe0f",
      "'",
      "  ",
    ),
  },
);
function printable(codePoint: number): boolean {
  return !(codePoint >= 0xd800 && codePoint <= 0xdfff) && !/\p{Cc}/u.test(String.fromCodePoint(codePoint));
}
const ssid = fc
  .array(ssidChar, { minLength: 1, maxLength: 16 })
  .map((chars) => chars.join(""))
  // nmcli's padding hides an SSID's edge spaces, writes a hidden one as `--`; `<hidden>` means hidden here.
  .filter((s) => !/^ | $/.test(s) && s !== "--" && s !== "<hidden>" && s.trim() !== "");
const CHANNELS = [
  [1, 2412],
  [6, 2437],
  [11, 2462],
  [36, 5180],
  [149, 5745],
] as const;
const network = fc.record({
  ssid,
  channel: fc.constantFrom(...CHANNELS),
  signal: fc.integer({ min: 0, max: 100 }),
  security: fc.constantFrom(...Object.keys(NMCLI_AUTH_MODES)),
});
const scan = fc.record({
  locale: fc.constantFrom(...(Object.values(NMCLI_LOCALES) as NmcliLocale[])),
  networks: fc
    .array(network, { minLength: 1, maxLength: 8 })
    // Old nmcli quoted every SSID: a list where every name is quoted reads as that (quotes stripped).
    .filter((list) => !list.every((n) => /^'.*'$/s.test(n.ssid))),
  inUse: fc.integer({ min: -1, max: 7 }),
});

describe("any scan laid out the way nmcli lays it out", () => {
  it("parses back to the same values, whatever printable unicode the SSIDs hold", () => {
    fc.assert(
      fc.property(scan, ({ locale, networks, inUse }) => {
        const list: NmcliNetwork[] = networks.map((n, i) => ({
          bssid: `AA:BB:CC:00:01:${i.toString(16).padStart(2, "0").toUpperCase()}`,
          ssid: n.ssid,
          chan: n.channel[0],
          freqMhz: n.channel[1],
          signal: n.signal,
          security: n.security,
        }));
        const text = nmcliWifiList(locale, list, inUse);
        expect(looksLikeNmcli(text)).toBe(true);
        const { records, observations, rejects } = parse(text);
        expect(rejects).toEqual([]);
        expect(records).toBe(list.length);
        expect(observations.map(fieldsOf)).toEqual(list.map(expectedNmcliFields));
      }),
      { numRuns: 300 },
    );
  });
});
