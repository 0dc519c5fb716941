import { textCells } from "../sources/files/text-cells.js";

/*
 * Writes `nmcli -m tabular` output the way nmcli lays it out (`_print_do` in NetworkManager's
 * src/nmcli/utils.c), so tests never hand-align wide characters: a column is as wide as its widest title
 * or value plus one, in terminal cells; each value is padded to that width with spaces and followed by
 * one separating space; the last separator of a line is chopped; an empty value is written `--`.
 */
export function nmcliTable(titles: readonly string[], rows: readonly (readonly string[])[]): string {
  const shown = rows.map((row) => titles.map((_, k) => (row[k] ?? "") || "--"));
  const widths = titles.map(
    (title, k) => Math.max(textCells(title), ...shown.map((row) => textCells(row[k] ?? ""))) + 1,
  );
  const line = (cells: readonly string[]) =>
    cells.map((value, k) => value + " ".repeat((widths[k] ?? 0) - textCells(value))).join(" ");
  return `${[titles, ...shown].map(line).join("\n")}\n`;
}

/** One access point as a test describes it, before nmcli formats it. */
export interface NmcliNetwork {
  bssid: string;
  ssid: string;
  chan: number;
  freqMhz: number;
  signal: number;
  security: string;
}

/** How one locale writes `nmcli dev wifi list`'s columns: titles, MODE, and the RATE and FREQ units. */
export interface NmcliLocale {
  titles: readonly [string, string, string, string, string, string, string, string, string, string];
  mode: string;
  rate: (mbits: number) => string;
  freq: (mhz: number) => string;
}

const mbits = (n: number) => `${n} Mbit/s`;
const mhz = (n: number) => `${n} MHz`;
const ENGLISH_TITLES = [
  "IN-USE",
  "BSSID",
  "SSID",
  "MODE",
  "CHAN",
  "FREQ",
  "RATE",
  "SIGNAL",
  "BARS",
  "SECURITY",
] as const;

/**
 * Locales as nmcli writes them: current nmcli keeps English titles and translates values (MODE, the units);
 * older nmcli translated the titles too (the zh_CN titles and the ja_JP ones of its 2010 catalogue).
 */
export const NMCLI_LOCALES = {
  en: { titles: ENGLISH_TITLES, mode: "Infra", rate: mbits, freq: mhz },
  ja: { titles: ENGLISH_TITLES, mode: "インフラ", rate: mbits, freq: mhz },
  jaTitles: {
    titles: ["*", "BSSID", "SSID", "モード", "CHAN", "周波数", "レート", "信号", "BARS", "セキュリティ"],
    mode: "アドホック",
    rate: (n) => `${n} Mb/s`,
    freq: mhz,
  },
  zh_CN: {
    titles: ["*", "BSSID", "SSID", "模式", "频段", "频率", "速率", "信号", "BARS", "安全性"],
    mode: "红外",
    rate: mbits,
    freq: mhz,
  },
  ko: { titles: ENGLISH_TITLES, mode: "해당 없음", rate: mbits, freq: mhz },
} as const satisfies Record<string, NmcliLocale>;

const bars = (signal: number) =>
  signal > 80 ? "▂▄▆█" : signal > 55 ? "▂▄▆_" : signal > 30 ? "▂▄__" : signal > 5 ? "▂___" : "____";

/** `nmcli dev wifi list` in a locale; `inUse` marks the connected network's row with `*`. */
export function nmcliWifiList(locale: NmcliLocale, networks: readonly NmcliNetwork[], inUse = -1): string {
  return nmcliTable(
    locale.titles,
    networks.map((n, i) => [
      i === inUse ? "*" : " ",
      n.bssid,
      n.ssid,
      locale.mode,
      String(n.chan),
      locale.freq(n.freqMhz),
      locale.rate(54 + i),
      String(n.signal),
      bars(n.signal),
      n.security,
    ]),
  );
}

/** SSIDs that shift every later column when counted in code units: CJK, emoji, ZWJ sequences, marks. */
export const WIDE_SSID_NETWORKS: readonly NmcliNetwork[] = [
  { bssid: "AA:BB:CC:00:00:01", ssid: "東京カフェ", chan: 1, freqMhz: 2412, signal: 90, security: "WPA2" },
  {
    bssid: "AA:BB:CC:00:00:02",
    ssid: "家里的网络",
    chan: 6,
    freqMhz: 2437,
    signal: 70,
    security: "WPA1 WPA2",
  },
  { bssid: "AA:BB:CC:00:00:03", ssid: "우리집 와이파이", chan: 11, freqMhz: 2462, signal: 45, security: "" },
  {
    bssid: "AA:BB:CC:00:00:04",
    ssid: "👨‍👩‍👧 family",
    chan: 36,
    freqMhz: 5180,
    signal: 60,
    security: "WPA3",
  },
  {
    bssid: "AA:BB:CC:00:00:05",
    ssid: "Cafe\u0301 ❤️",
    chan: 149,
    freqMhz: 5745,
    signal: 20,
    security: "WPA2 802.1X",
  },
  {
    bssid: "AA:BB:CC:00:00:06",
    ssid: "ＦＵＬＬ　ｗｉｄｔｈ",
    chan: 6,
    freqMhz: 2437,
    signal: 100,
    security: "OWE",
  },
  {
    bssid: "AA:BB:CC:00:00:07",
    ssid: "\u1112\u1161\u11ab zero\u200bwidth",
    chan: 1,
    freqMhz: 2412,
    signal: 5,
    security: "WEP",
  },
  { bssid: "AA:BB:CC:00:00:08", ssid: "--", chan: 11, freqMhz: 2462, signal: 33, security: "WPA2 WPA3" },
];
/** SECURITY as nmcli writes it, and the auth mode it normalises to. */
export const NMCLI_AUTH_MODES: Record<string, string> = {
  WPA2: "WPA2",
  "WPA1 WPA2": "WPA/WPA2",
  "": "OPEN",
  WPA3: "WPA3",
  "WPA2 802.1X": "WPA2-EAP",
  OWE: "OWE",
  WEP: "WEP",
  "WPA2 WPA3": "WPA2/WPA3",
};
/** What the parser must give for each network; nmcli writes a hidden SSID as `--`. */
export const expectedNmcliFields = (n: NmcliNetwork) => ({
  mac: n.bssid.toLowerCase(),
  ssid: n.ssid === "--" ? null : n.ssid,
  channel: n.chan,
  frequencyMhz: n.freqMhz,
  rssiDbm: Math.round(-100 + n.signal / 2),
  authMode: NMCLI_AUTH_MODES[n.security],
});
