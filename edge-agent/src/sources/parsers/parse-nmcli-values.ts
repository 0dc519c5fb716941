import { normalizeSsid, qualityToDbm } from "@piwardrive/shared-schema/domain";

/** `2437 MHz` (nmcli's `%u MHz` is a translated string, so any unit word) or a bare number of MHz. */
export function readMhz(text: string): number | null {
  const m = /^\s*(\d{3,5})(?:\s*[^\d\s/]+)?\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** nmcli SIGNAL is a percentage; it becomes an estimated dBm on the usual linear map. */
export function percentToDbm(text: string): number | null {
  return /^\s*\d{1,3}\s*$/.test(text) ? qualityToDbm(Number(text), 100) : null;
}

/** nmcli writes a missing value, so a hidden SSID, as `--`; quoted `'--'` is a real name. */
export function nmcliSsid(text: string): string | null {
  return text === "--" ? null : normalizeSsid(text);
}
