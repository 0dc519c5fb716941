import { frequencyToChannel } from "@piwardrive/shared-schema/domain";
import { readMhz } from "./parse-nmcli-values.js";

/*
 * Which nmcli column is which. A header word nmcli is known to write (English, or a translation older
 * nmcli printed: `FREQUENZ`, `周波数`, `信号`) names its column outright; any other column is recognised
 * by the shape of its values, so a locale missing from TITLES still reads. MODE, RATE and FREQ values
 * are translated too (`インフラ`, `54 Mbit/s`, `2412 MHz` with any unit word), so their shapes take any
 * unit, and the MODE words of the locales we know are listed so that MODE is never taken for the SSID.
 */

type Field = "bssid" | "ssid" | "chan" | "freq" | "signal" | "security" | "ignored";

const TITLE_WORDS: Readonly<Record<Field, readonly string[]>> = {
  bssid: ["BSSID"],
  ssid: ["SSID"],
  chan: ["CHAN", "频段"],
  freq: ["FREQ", "FREQUENZ", "周波数", "频率"],
  signal: ["SIGNAL", "信号"],
  security: ["SECURITY", "セキュリティ", "安全性"],
  ignored: [
    "NAME",
    "SSID-HEX",
    "MODE",
    "RATE",
    "BARS",
    "WPA-FLAGS",
    "RSN-FLAGS",
    "DEVICE",
    "ACTIVE",
    "IN-USE",
    "*",
    "DBUS-PATH",
    "モード",
    "模式",
    "レート",
    "速率",
  ],
};
const TITLES = new Map<string, Field>(
  (Object.entries(TITLE_WORDS) as [Field, readonly string[]][]).flatMap(([field, words]) =>
    words.map((word): [string, Field] => [word, field]),
  ),
);

export const MAC_SHAPE = /^(?:[0-9A-Fa-fxX*]{2}[:-]){5}[0-9A-Fa-fxX*]{2}$/;
const SECURITY_WORD = "(?:WPA[123]?|WEP|802\\.1X|OWE(?:-TM)?|SAE)";
const SECURITY = new RegExp(`^${SECURITY_WORD}(?: ${SECURITY_WORD})*$`);
/** MODE values: Infra, Ad-Hoc, Mesh, N/A and their ja_JP, zh_CN and ko_KR translations. */
const MODE_WORDS = new Set([
  "Infra",
  "Ad-Hoc",
  "Mesh",
  "N/A",
  "インフラ",
  "アドホック",
  "なし",
  "红外",
  "不可用",
  "인프라",
  "애드혹",
  "해당 없음",
]);
const SHAPES = {
  bssid: (v: string) => MAC_SHAPE.test(v),
  // `2412 MHz`, with the unit as translated (never a `/`, which is RATE's).
  freq: (v: string) => /^\d{3,5} ?[^\d\s/]+$/.test(v),
  int: (v: string) => /^\d{1,3}$/.test(v),
  security: (v: string) => SECURITY.test(v),
  // IN-USE `*`, BARS `▂▄▆_` (`****` without UTF-8), RATE `54 Mbit/s` in any unit, MODE: read and ignored.
  ignored: (v: string) => /^[▂▄▆█_*]+$|^\d+ ?\S+\/\S+$/.test(v) || MODE_WORDS.has(v),
} as const;
/** `titled`: the header named the column, so it takes no part in the guessing by shape. */
type Shape = keyof typeof SHAPES | "titled" | "blank" | "other";
const QUOTED = /^'.*'$/s;

export interface NmcliColumns {
  bssid?: number;
  ssid?: number;
  freq?: number;
  chan?: number;
  signal?: number;
  security?: number;
  /** Old nmcli quotes every SSID (`'PDANet1'`): quotes are stripped only where all names carry them. */
  ssidQuoted: boolean;
}

/** The columns of a table from its header titles (empty when there was no header) and its rows. */
export function nmcliColumns(
  titles: readonly string[],
  rows: readonly string[][],
  width: number,
): NmcliColumns {
  const titled = (field: Field) => {
    const k = titles.findIndex((t) => TITLES.get(t) === field);
    return k < 0 ? undefined : k;
  };
  const shapes: Shape[] = [];
  for (let k = 0; k < width; k++) {
    const cells = rows.map((r) => r[k] ?? "");
    const values = cells.filter((v) => v !== "" && v !== "--");
    const shape = (Object.keys(SHAPES) as (keyof typeof SHAPES)[]).find(
      (name) => values.length > 0 && values.every(SHAPES[name]),
    );
    if (TITLES.has(titles[k] ?? "")) shapes.push("titled");
    else shapes.push(shape ?? (cells.every((v) => v === "") ? "blank" : "other"));
  }
  const shaped = (shape: Shape) => (shapes.indexOf(shape) < 0 ? undefined : shapes.indexOf(shape));
  const others = shapes.flatMap((s, k) => (s === "other" ? [k] : []));
  const allQuoted = (k: number) =>
    rows.every((r) => r[k] === "--" || QUOTED.test(r[k] ?? "")) && rows.some((r) => QUOTED.test(r[k] ?? ""));
  const ssid = titled("ssid") ?? others.find(allQuoted) ?? others[0];
  const freq = titled("freq") ?? shaped("freq");
  // CHAN and SIGNAL are both small integers: CHAN is the one that agrees with FREQ, else the first (nmcli's order).
  const ints = shapes.flatMap((s, k) => (s === "int" ? [k] : []));
  const agreesWithFreq = (k: number) =>
    freq !== undefined && rows.every((r) => frequencyToChannel(readMhz(r[freq] ?? "") ?? 0) === Number(r[k]));
  const chan = titled("chan") ?? ints.find(agreesWithFreq) ?? (ints.length > 1 ? ints[0] : undefined);
  return {
    bssid: titled("bssid") ?? shaped("bssid"),
    ssid,
    freq,
    chan,
    signal: titled("signal") ?? ints.find((k) => k !== chan),
    security: titled("security") ?? shaped("security"),
    ssidQuoted: ssid !== undefined && allQuoted(ssid),
  };
}
