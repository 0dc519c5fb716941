/** The columns every network view reads (networks and network_history share them). */
export const NETWORK_FIELDS = [
  "mac",
  "kind",
  "ssid",
  "auth_mode",
  "channel",
  "frequency_mhz",
  "vendor",
  "randomized",
  "first_seen",
  "last_seen",
  "observation_count",
  "device_count",
  "best_rssi_dbm",
  "best_lat",
  "best_lon",
  "lat",
  "lon",
  "radius_m",
  "confidence",
  "updated_at",
] as const;

/**
 * A page of networks as ONE JSON text, an array of rows in NETWORK_FIELDS order (after `leading`
 * columns): @libsql/client builds every column of every row as a defined property, which was a third of a
 * search's time; one JSON.parse is a small part of that. Text goes through SQLite's JSON escaping whole,
 * NUL bytes included. REALs (the location) come with SQLite's 15 significant digits, ~1e-13 degree: far
 * finer than any fix, and half the page's cost if printed with the 17 an exact round trip needs (exports,
 * which promise exact values, do that: exports/export-query.ts).
 */
export function networkJsonPage(from: string, leading: readonly string[] = []): string {
  return `SELECT json_group_array(json_array(${[...leading, ...NETWORK_FIELDS].join(", ")})) AS page FROM (${from})`;
}

export type JsonCell = string | number | null;

/** The rows of a networkJsonPage text: arrays of `leading` columns, then NETWORK_FIELDS. */
export function parseNetworkJsonPage(page: unknown): JsonCell[][] {
  return JSON.parse(String(page ?? "[]")) as JsonCell[][];
}

/** Where each of NETWORK_FIELDS is in a networkJsonPage row (after its leading columns). */
export const FIELD_AT = Object.fromEntries(NETWORK_FIELDS.map((f, i) => [f, i])) as Record<
  (typeof NETWORK_FIELDS)[number],
  number
>;

/** One network as the analyst API answers it (search, detail; alerts and exports add to it). */
export interface NetworkView {
  mac: string;
  kind: string;
  ssid: string | null;
  authMode: string | null;
  channel: number | null;
  frequencyMhz: number | null;
  vendor: string | null;
  randomized: boolean;
  firstSeen: string;
  lastSeen: string;
  observationCount: number;
  deviceCount: number;
  bestRssiDbm: number | null;
  location: { lat: number; lon: number; radiusM: number | null; confidence: number } | null;
  strongest: { lat: number; lon: number; rssiDbm: number } | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const iso = (v: unknown): string => new Date(Number(v)).toISOString();

/** The view of a networkJsonPage row whose NETWORK_FIELDS start at `offset` (no row object in between). */
export function networkViewFromCells(cells: readonly JsonCell[], offset = 0): NetworkView {
  const at = (f: (typeof NETWORK_FIELDS)[number]) => cells[offset + FIELD_AT[f]] ?? null;
  const lat = at("lat") as number | null;
  const lon = at("lon") as number | null;
  const bestLat = at("best_lat") as number | null;
  const bestLon = at("best_lon") as number | null;
  const bestRssi = at("best_rssi_dbm") as number | null;
  const radius = at("radius_m") as number | null;
  const ssid = at("ssid");
  return {
    mac: String(at("mac")),
    kind: String(at("kind")),
    ssid: ssid === null ? null : String(ssid),
    authMode: str(at("auth_mode")),
    channel: num(at("channel")),
    frequencyMhz: num(at("frequency_mhz")),
    vendor: str(at("vendor")),
    randomized: Number(at("randomized")) === 1,
    firstSeen: iso(at("first_seen")),
    lastSeen: iso(at("last_seen")),
    observationCount: Number(at("observation_count")),
    deviceCount: Number(at("device_count")),
    bestRssiDbm: bestRssi,
    location:
      lat === null || lon === null
        ? null
        : {
            lat,
            lon,
            radiusM: radius === null ? null : Math.round(radius * 10) / 10,
            confidence: Number(at("confidence")),
          },
    strongest:
      bestLat === null || bestLon === null || bestRssi === null
        ? null
        : { lat: bestLat, lon: bestLon, rssiDbm: bestRssi },
  };
}
