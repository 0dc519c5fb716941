/**
 * The pre-header `WigleWifi-1.6,appRelease=v1.16,model=...` as metadata: `format` and `version` from the
 * first field, then each `key=value` pair (split at the first `=`; a value may itself hold `=`).
 */
export function parseWiglePreHeader(fields: string[]): Record<string, string> {
  const [first = "", ...pairs] = fields;
  const match = /^\uFEFF?(WigleWifi)-(.*)$/i.exec(first.trim());
  const metadata: Record<string, string> = { format: match?.[1] ?? "WigleWifi", version: match?.[2] ?? "" };
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    // `format`/`version` describe the file; a pair must not overwrite them.
    if (key === "format" || key === "version" || key === "__proto__") continue;
    metadata[key] = pair.slice(eq + 1).trim();
  }
  return metadata;
}

const WIGLE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/** `YYYY-MM-DD HH:MM:SS` (UTC, as WiGLE writes it) to ms since the epoch; null when it is not a real time. */
export function parseWigleTime(text: string): number | null {
  const m = WIGLE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
  const value = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2021-02-30 over to March: such a date was not a real one.
  const check = new Date(value);
  if (
    check.getUTCDate() !== day ||
    check.getUTCMonth() !== month - 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  return value;
}

/**
 * BLE manufacturer (Bluetooth SIG company) id. Bruce firmware writes 4 hex digits (`004C` = Apple = 76,
 * `07D0`); WiGLE Android writes the decimal integer. Four digits with a leading zero or a hex letter are
 * read as hex, `0x..` as hex, other digit strings as decimal. Anything else, or > 0xFFFF, is null.
 */
export function wigleMfgrId(text: string): number | null {
  const t = text.trim();
  let value: number | null = null;
  if (/^0x[0-9a-f]{1,4}$/i.test(t)) value = Number.parseInt(t.slice(2), 16);
  else if (/^[0-9a-f]{4}$/i.test(t) && (t.startsWith("0") || /[a-f]/i.test(t)))
    value = Number.parseInt(t, 16);
  else if (/^\d{1,5}$/.test(t)) value = Number(t);
  return value !== null && value <= 0xffff ? value : null;
}
