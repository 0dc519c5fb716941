/** One line of an NMEA log, checked: nothing to read, a corrupt line, or a sentence with valid checksum. */
export type NmeaLine =
  | { kind: "skip" }
  | { kind: "corrupt"; reason: "bad_checksum" | "no_checksum" | "not_nmea" }
  /** Intact, but proprietary (`$P...`) or not of the `$ttsss` form: a record with nothing to read. */
  | { kind: "other"; reason: "proprietary" | "unknown_sentence" }
  | { kind: "sentence"; talker: string; type: string; fields: string[] };

/**
 * Checks a line: blank lines, `#` comments, AIS `!` sentences and proprietary `$P...` sentences are
 * skipped; a sentence without a `*hh` checksum is refused (a line cut short by a serial glitch would
 * otherwise parse as a wrong position), as is one whose XOR checksum does not match. Text before the
 * last `$` (serial noise) is dropped. Any talker is accepted: GP, GN, GL, GA, GB, BD, GQ, ...
 */
export function readNmeaLine(line: string): NmeaLine {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return { kind: "skip" };
  const start = text.lastIndexOf("$");
  if (start === -1) return text.startsWith("!") ? { kind: "skip" } : { kind: "corrupt", reason: "not_nmea" };
  const body = text.slice(start + 1);
  const star = body.lastIndexOf("*");
  if (star === -1) return { kind: "corrupt", reason: "no_checksum" };
  const data = body.slice(0, star);
  const given = body.slice(star + 1);
  if (!/^[0-9A-Fa-f]{2}$/.test(given) || nmeaChecksum(data) !== Number.parseInt(given, 16)) {
    return { kind: "corrupt", reason: "bad_checksum" };
  }
  const fields = data.split(",");
  const address = fields[0] ?? "";
  if (address.startsWith("P")) return { kind: "other", reason: "proprietary" };
  const m = /^([A-Z]{2})([A-Z]{3})$/.exec(address);
  if (!m) return { kind: "other", reason: "unknown_sentence" };
  return { kind: "sentence", talker: m[1] ?? "", type: m[2] ?? "", fields };
}

/** XOR of the characters between `$` and `*`. */
export function nmeaChecksum(data: string): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum ^= data.charCodeAt(i) & 0xff;
  return sum;
}

/** `hhmmss(.sss)` to ms since midnight UTC, or null. */
export function nmeaTimeOfDay(text: string | undefined): number | null {
  const m = /^(\d{2})(\d{2})(\d{2}(?:\.\d+)?)$/.exec(text ?? "");
  if (!m) return null;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s >= 61) return null;
  return Math.round(((h * 60 + min) * 60 + s) * 1000);
}

/** RMC `ddmmyy` to the UTC midnight of that day in ms, or null. Two-digit years 80-99 are 19xx. */
export function nmeaDate(text: string | undefined): number | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(text ?? "");
  if (!m) return null;
  const yy = Number(m[3]);
  return utcMidnight(yy >= 80 ? 1900 + yy : 2000 + yy, Number(m[2]), Number(m[1]));
}

export function utcMidnight(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : null;
}

/**
 * `ddmm.mmmm` + N/S (or `dddmm.mmmm` + E/W) to signed degrees. `empty` when the receiver has no fix yet
 * (empty fields), null when the text is not a coordinate.
 */
export function nmeaCoordinate(
  value: string | undefined,
  hemisphere: string | undefined,
  degreeDigits: 2 | 3,
) {
  if (!value && !hemisphere) return "empty" as const;
  const m = (degreeDigits === 2 ? /^(\d{2})(\d{2}(?:\.\d+)?)$/ : /^(\d{3})(\d{2}(?:\.\d+)?)$/).exec(
    value ?? "",
  );
  const sign = { N: 1, E: 1, S: -1, W: -1 }[hemisphere ?? ""];
  if (!m || sign === undefined || (degreeDigits === 2) !== (hemisphere === "N" || hemisphere === "S"))
    return null;
  const minutes = Number(m[2]);
  if (minutes >= 60) return null;
  const degrees = Number(m[1]) + minutes / 60;
  return degrees > (degreeDigits === 2 ? 90 : 180) ? null : sign * degrees;
}

export function nmeaNumber(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
