import type { InStatement } from "@libsql/client";
import { isLocallyAdministered, vendorOf } from "../analyst/oui-vendor.js";

/*
 * The network estimates the merge keeps beside the centroid (docs/analyst-aggregates.md): weighted second
 * moments of the position (Chan et al.'s pairwise combination, exact for any batch split), the radius and
 * the 0-7 confidence they feed, distinct days, SSID history, vendor and the randomized flag, and the
 * as-of history that keeps search cursors exact (docs/decisions/0012-as-of-search-cursors.md).
 * Everything reads temp.merge_stage only, so a replay (empty stage) changes nothing.
 *
 * The estimate columns are written by the one networks upsert (ESTIMATES_IN_UPSERT, joined into it by
 * merge-statements.ts); the statements here run around it: `before` after the observations insert and
 * before the upsert (history must hold the row before it changes, and the upsert counts the days),
 * `after` once the upsert is done.
 */

/** The generation this merge will bump to (the bump runs last in the same transaction). */
const NEXT_GENERATION = "(coalesce((SELECT generation FROM merge_generation WHERE id = 1), 0) + 1)";

const CREATE_VENDORS = `CREATE TEMP TABLE IF NOT EXISTS merge_vendors (mac TEXT PRIMARY KEY, vendor TEXT,
  randomized INTEGER NOT NULL)`;
const CLEAR_VENDORS = "DELETE FROM temp.merge_vendors";

const FILL_VENDORS = `INSERT INTO temp.merge_vendors (mac, vendor, randomized)
SELECT j.value->>0, j.value->>1, j.value->>2 FROM json_each(?) AS j WHERE true ON CONFLICT (mac) DO NOTHING`;

const NETWORK_STATE = `kind, ssid, auth_mode, channel, frequency_mhz, vendor, randomized, first_seen,
  last_seen, observation_count, device_count, best_rssi_dbm, best_lat, best_lon, lat, lon, radius_m,
  confidence, created_generation, updated_at`;

/**
 * What each network this merge touches was before it, for cursors pinned to an older generation. Only
 * networks last changed at or before the newest pinned generation: a cursor pinned at G needs the old row
 * of a network changed after G, and a network last changed after every pinned G is needed by none (a
 * later first page pins a generation that already includes this merge; the pin is a write, so it and this
 * merge are serialised). Decision 0022. `?` is the merge clock (superseded_at, for pruning).
 */
const KEEP_HISTORY = `INSERT INTO network_history (mac, generation, ${NETWORK_STATE}, superseded_at)
SELECT mac, ${NEXT_GENERATION}, ${NETWORK_STATE}, ? FROM networks
WHERE mac IN (SELECT mac FROM temp.merge_stage)
  AND changed_generation <= (SELECT paged_generation FROM merge_generation WHERE id = 1)
ON CONFLICT (mac, generation) DO NOTHING`;

const RECORD_DAYS = `INSERT OR IGNORE INTO network_days (mac, day)
SELECT DISTINCT mac, seen_at / 86400000 FROM temp.merge_stage`;

const RECORD_SSIDS = `INSERT INTO ssid_history (mac, ssid, auth_mode, channel, first_seen, last_seen, count)
SELECT mac, coalesce(ssid, ''), coalesce(auth_mode, ''), coalesce(channel, -1), min(seen_at), max(seen_at),
  count(*)
FROM temp.merge_stage WHERE kind = 'wifi' GROUP BY 1, 2, 3, 4
ON CONFLICT (mac, ssid, auth_mode, channel) DO UPDATE SET first_seen = min(ssid_history.first_seen,
  excluded.first_seen), last_seen = max(ssid_history.last_seen, excluded.last_seen),
  count = ssid_history.count + excluded.count`;

/*
 * Inside the upsert, `g` is the batch per transmitter (n, positioned weight w and weighted sums wlat/wlon,
 * devices) and `m` adds the batch's own M2 and the distinct-day count (network_days is recorded first).
 * M2 takes a second pass over the stage, deviations from the batch mean: a one-pass sum of squares loses
 * every digit at 1e-5 degree spreads. The SELECT writes a new network as the batch alone makes it; ON
 * CONFLICT combines the stored row (`networks.*`, still the old values in every SET) with the batch
 * (`excluded.*`): M2 = M2_a + M2_b + delta^2 * W_a * W_b / (W_a + W_b) (Chan et al.), then the radius and
 * confidence from the combined values. So the stored row is read once (the upsert's own conflict check)
 * and written once.
 */
const BATCH_M2 = `m AS (SELECT g.mac, total(s.weight * (s.lat - g.wlat / g.w) * (s.lat - g.wlat / g.w)) AS m2lat,
    total(s.weight * (s.lon - g.wlon / g.w) * (s.lon - g.wlon / g.w)) AS m2lon,
    (SELECT count(*) FROM network_days d WHERE d.mac = g.mac) AS days
  FROM g LEFT JOIN temp.merge_stage AS s ON s.mac = g.mac AND s.lat IS NOT NULL AND s.lon IS NOT NULL AND g.w > 0
  GROUP BY g.mac)`;

/** The weighted standard distance in metres (docs/analyst-aggregates.md). */
const radius = (w: string, m2lat: string, m2lon: string, lat: string) => `CASE WHEN ${w} > 0 THEN
  sqrt(max(${m2lat}, 0) / ${w} * power(111320, 2) + max(${m2lon}, 0) / ${w} * power(111320 * cos(radians(${lat})), 2))
  END`;
const confidence = (n: string, days: string, devices: string, radiusM: string) =>
  `(${n} >= 3) + (${n} >= 10) + (${days} >= 2) + (${days} >= 7) + (${devices} >= 2) + (${devices} >= 3)
  + coalesce(${n} >= 3 AND ${radiusM} <= 100, 0)`;

// On conflict: the stored part (a) is networks.*, the batch (b) is excluded.* (its sums, n and M2).
const OLD_W = "networks.weight_sum";
const NEW_W = "(networks.weight_sum + excluded.weight_sum)";
const combinedM2 = (axis: "lat" | "lon") => `(networks.m2_${axis} + excluded.m2_${axis}
  + CASE WHEN ${OLD_W} > 0 AND excluded.weight_sum > 0 THEN power(excluded.weighted_${axis}_sum
    / excluded.weight_sum - networks.weighted_${axis}_sum / ${OLD_W}, 2) * ${OLD_W} * excluded.weight_sum
    / ${NEW_W} ELSE 0 END)`;
const COMBINED_RADIUS = radius(
  NEW_W,
  combinedM2("lat"),
  combinedM2("lon"),
  `(networks.weighted_lat_sum + excluded.weighted_lat_sum) / ${NEW_W}`,
);
const BATCH_RADIUS = radius("g.w", "m.m2lat", "m.m2lon", "g.wlat / g.w");
const COMBINED_N = "(networks.observation_count + excluded.observation_count)";
// The vendor is looked up once, when the row is created (created_generation is still NULL).
const fromVendors = (column: string) =>
  `CASE WHEN networks.created_generation IS NULL THEN excluded.${column} ELSE networks.${column} END`;

/**
 * The estimates' share of the networks upsert: CTEs after `g`, joins after `g`, and per column the value
 * a new network gets and the SET expression of an existing one. `?` (the merge clock) is its one argument.
 */
export const ESTIMATES_IN_UPSERT = {
  ctes: [BATCH_M2],
  joins: "LEFT JOIN m ON m.mac = g.mac LEFT JOIN temp.merge_vendors AS v ON v.mac = g.mac",
  columns: [
    ["m2_lat", "m.m2lat", combinedM2("lat")],
    ["m2_lon", "m.m2lon", combinedM2("lon")],
    ["radius_m", BATCH_RADIUS, COMBINED_RADIUS],
    [
      "confidence",
      confidence("g.n", "m.days", "g.devices", BATCH_RADIUS),
      confidence(COMBINED_N, "excluded.day_count", "excluded.device_count", COMBINED_RADIUS),
    ],
    ["day_count", "m.days", "excluded.day_count"],
    ["vendor", "v.vendor", fromVendors("vendor")],
    ["randomized", "coalesce(v.randomized, 0)", `coalesce(${fromVendors("randomized")}, 0)`],
    [
      "created_generation",
      NEXT_GENERATION,
      "coalesce(networks.created_generation, excluded.created_generation)",
    ],
    ["changed_generation", NEXT_GENERATION, "excluded.changed_generation"],
    ["updated_at", "?", "excluded.updated_at"],
  ] as const,
};

/** The device link's first generation (as-of `device` filter). */
export const DEVICE_FIRST_GENERATION = NEXT_GENERATION;

/** Vendor and randomized flag of each distinct MAC, computed here (a Map lookup) rather than in SQL. */
export function vendorRows(macs: Iterable<string>, kindOf: (mac: string) => string): unknown[][] {
  const rows: unknown[][] = [];
  for (const mac of new Set(macs)) {
    const macLike = kindOf(mac) === "wifi" || kindOf(mac) === "bt" || kindOf(mac) === "ble";
    const randomized = macLike && isLocallyAdministered(mac) ? 1 : 0;
    rows.push([mac, macLike ? vendorOf(mac) : null, randomized]);
  }
  return rows;
}

export function networkEstimatesBefore(vendors: unknown[][], now: number): InStatement[] {
  return [
    CREATE_VENDORS,
    CLEAR_VENDORS,
    { sql: FILL_VENDORS, args: [JSON.stringify(vendors)] },
    { sql: KEEP_HISTORY, args: [now] },
    RECORD_DAYS,
  ];
}

export function networkEstimatesAfter(): InStatement[] {
  return [RECORD_SSIDS, CLEAR_VENDORS];
}
