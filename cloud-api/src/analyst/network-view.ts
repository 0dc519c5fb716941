import type { Row } from "@libsql/client";
import { exactText, nulSafeBytes } from "../db/nul-safe-text.js";

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

/** NETWORK_FIELDS as a select list, plus the SSID's bytes when it holds a NUL (db/nul-safe-text.ts). */
export const NETWORK_COLUMNS = `${NETWORK_FIELDS.join(", ")}, ${nulSafeBytes("ssid")}`;

const REAL_FIELDS = new Set<string>(["best_lat", "best_lon", "lat", "lon", "radius_m"]);

/**
 * A page of networks as ONE JSON text, an array of rows in NETWORK_FIELDS order (after `leading`
 * columns): @libsql/client builds every column of every row as a defined property, which was a third of a
 * search's time; one JSON.parse is a small part of that. REALs go in as 17-digit text, which gives back
 * the stored double exactly (SQLite's JSON prints 15 digits); text goes through SQLite's JSON escaping
 * whole, NUL bytes included (exports/export-query.ts reads its pages the same way).
 */
export function networkJsonPage(from: string, leading: readonly string[] = []): string {
  const cells = NETWORK_FIELDS.map((f) =>
    REAL_FIELDS.has(f) ? `iif(${f} IS NULL, NULL, printf('%!.17g', ${f}))` : f,
  );
  return `SELECT json_group_array(json_array(${[...leading, ...cells].join(", ")})) AS page FROM (${from})`;
}

export type JsonCell = string | number | null;

/** The rows of a networkJsonPage text, as rows keyed by column name (`leading` first). */
export function parseNetworkJsonPage(page: unknown, leading: readonly string[] = []): Row[] {
  const names = [...leading, ...NETWORK_FIELDS];
  return (JSON.parse(String(page ?? "[]")) as JsonCell[][]).map(
    (cells) => Object.fromEntries(names.map((n, i) => [n, cells[i] ?? null])) as unknown as Row,
  );
}

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

export function toNetworkView(row: Row): NetworkView {
  const lat = num(row.lat);
  const lon = num(row.lon);
  const bestLat = num(row.best_lat);
  const bestLon = num(row.best_lon);
  const bestRssi = num(row.best_rssi_dbm);
  const radius = num(row.radius_m);
  return {
    mac: String(row.mac),
    kind: String(row.kind),
    ssid: exactText(row.ssid, row.ssid_bytes),
    authMode: str(row.auth_mode),
    channel: num(row.channel),
    frequencyMhz: num(row.frequency_mhz),
    vendor: str(row.vendor),
    randomized: Number(row.randomized) === 1,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    observationCount: Number(row.observation_count),
    deviceCount: Number(row.device_count),
    bestRssiDbm: bestRssi,
    location:
      lat === null || lon === null
        ? null
        : {
            lat,
            lon,
            radiusM: radius === null ? null : Math.round(radius * 10) / 10,
            confidence: Number(row.confidence),
          },
    strongest:
      bestLat === null || bestLon === null || bestRssi === null
        ? null
        : { lat: bestLat, lon: bestLon, rssiDbm: bestRssi },
  };
}
