/** Result of normalising an untrusted value: the value, or the reason it was refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const HEX_PAIRS = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/;

/**
 * Normalises a 48-bit MAC/BSSID to lower-case `aa:bb:cc:dd:ee:ff`. Accepts `:`/`-` separators or none.
 * Redacted (`xx:xx:..`), short, long or non-hex values are refused with a reason.
 */
export function normalizeMac(raw: string): Checked<string> {
  const s = raw.trim().toLowerCase();
  if (s.length === 0) return { ok: false, reason: "mac_missing" };
  if (s.includes("x") || s.includes("*")) return { ok: false, reason: "mac_redacted" };
  if (!HEX_PAIRS.test(s)) return { ok: false, reason: "mac_malformed" };
  const hex = s.replace(/[:-]/g, "");
  const value = hex.match(/../g)!.join(":");
  return { ok: true, value };
}
