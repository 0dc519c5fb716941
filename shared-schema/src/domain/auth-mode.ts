/** The one vocabulary every source's security description is mapped to. */
export const AUTH_MODES = [
  "OPEN",
  "WEP",
  "WPA",
  "WPA/WPA2",
  "WPA2",
  "WPA2/WPA3",
  "WPA3",
  "OWE",
  "WPA2-EAP",
  "WPA3-EAP",
  "UNKNOWN",
] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * Normalises the ways tools describe security: WiGLE `[WPA2-PSK-CCMP][ESS]` or `[WPA2_WPA3_PSK]`,
 * nmcli `WPA1 WPA2` / `--`, Kismet `WPA+PSK WPA+AES-CCM`, and the iw/iwlist tokens their parsers
 * gather: each element (`RSN`, `WPA`) followed by its AKMs (`PSK`, `SAE`, `802.1X`, `SUITE-B`, `OWE`),
 * e.g. `RSN PSK SAE WPA PSK`, or `WEP` / `OPEN`. Unrecognised text maps to UNKNOWN, never throws.
 */
export function normalizeAuthMode(raw: string | null | undefined): AuthMode {
  if (raw == null) return "UNKNOWN";
  const s = raw.toUpperCase();
  // nmcli writes an open network's SECURITY as `--`.
  if (s.trim() === "" || s.trim() === "--" || s === "[ESS]" || /\bOPEN\b|\bNONE\b/.test(s)) {
    return s.includes("OWE") ? "OWE" : "OPEN";
  }
  if (s.includes("OWE")) return "OWE";
  const eap = /EAP|802\.1X|MGT|ENTERPRISE/.test(s);
  const sae = /SAE/.test(s);
  const wpa3 = sae || /WPA3|SUITE-B/.test(s);
  // An RSN element whose only AKM is SAE (`[RSN-SAE-CCMP]`, iw `RSN SAE`) is WPA3-only, not transition mode.
  const wpa2 = /WPA2/.test(s) || (/RSN/.test(s) && !(sae && !/PSK/.test(s)));
  const wpa1 = /WPA(?![23])|WPA1/.test(s.replace(/WPA2|WPA3/g, ""));
  if (wpa3 && eap) return "WPA3-EAP";
  if (wpa2 && eap) return "WPA2-EAP";
  if (wpa3 && wpa2) return "WPA2/WPA3";
  if (wpa3) return "WPA3";
  if (wpa2 && wpa1) return "WPA/WPA2";
  if (wpa2) return "WPA2";
  if (wpa1) return "WPA";
  if (s.includes("WEP")) return "WEP";
  // WiGLE writes open networks as capability flags only: `[ESS]`, `[ESS][WPS]`, `[IBSS]`.
  if (/^(\[(ESS|IBSS|WPS|BSS)\])+$/.test(s.replace(/\s/g, ""))) return "OPEN";
  return "UNKNOWN";
}
