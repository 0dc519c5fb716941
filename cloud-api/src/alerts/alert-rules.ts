import { AUTH_MODES, type AuthMode } from "@piwardrive/shared-schema/domain";

/** Thresholds of the network alert rules (docs/alert-rules.md says why each default is what it is). */
export interface AlertRules {
  /** Off: the merge raises no network alert (the benchmark measures the merge with and without). */
  enabled: boolean;
  /** Only these rules (their types); absent: every rule. */
  only?: readonly AlertType[];
  /** Steps down the strength ladder an auth mode must fall to count as a downgrade. */
  downgradeMinSteps: number;
  /** How near a new BSSID must be to a known one with the same SSID to be an evil-twin candidate. */
  evilTwinRadiusM: number;
  /** Sightings kept as evidence per alert. */
  evidenceSightings: number;
}

/** Every rule the merge runs, by the alert type it raises. */
export const ALERT_RULE_TYPES = [
  "encryption_downgrade",
  "ssid_change",
  "channel_change",
  "evil_twin",
  "watchlist_hit",
] as const;
export type AlertType = (typeof ALERT_RULE_TYPES)[number];

export const DEFAULT_ALERT_RULES: AlertRules = {
  enabled: true,
  downgradeMinSteps: 2,
  evilTwinRadiusM: 300,
  evidenceSightings: 10,
};

/**
 * Strength of each auth mode, weakest first. Transition modes sit between their two halves, so a tool that
 * reports a WPA2/WPA3 network as WPA2 (it does not parse SAE) is one step, not a downgrade by default.
 * OWE encrypts without authenticating: above WEP, below WPA. UNKNOWN has no rank and never compares.
 */
export const AUTH_STRENGTH: Partial<Record<AuthMode, number>> = {
  OPEN: 0,
  WEP: 1,
  OWE: 2,
  WPA: 3,
  "WPA/WPA2": 4,
  WPA2: 5,
  "WPA2-EAP": 5,
  "WPA2/WPA3": 6,
  WPA3: 7,
  "WPA3-EAP": 7,
};

/** `CASE <column> WHEN 'OPEN' THEN 0 ... END`: NULL for UNKNOWN, NULL or anything off the ladder. */
export function authStrengthSql(column: string): string {
  const whens = AUTH_MODES.filter((m) => AUTH_STRENGTH[m] !== undefined)
    .map((m) => `WHEN '${m}' THEN ${AUTH_STRENGTH[m]}`)
    .join(" ");
  return `(CASE ${column} ${whens} END)`;
}

/** Metres between two points, equirectangular: exact enough at the few hundred metres the rules use. */
export function distanceMSql(lat1: string, lon1: string, lat2: string, lon2: string): string {
  return `(111320.0 * sqrt(power(${lat1} - ${lat2}, 2) + power((${lon1} - ${lon2}) * cos(radians(${lat1})), 2)))`;
}
