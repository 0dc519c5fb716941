import type { InStatement } from "@libsql/client";
import { isLocallyAdministered, vendorOf } from "../analyst/oui-vendor.js";

/*
 * The network estimates the merge keeps beside the centroid (docs/analyst-aggregates.md): weighted second
 * moments of the position (Chan et al.'s pairwise combination, exact for any batch split), the radius and
 * the 0-7 confidence they feed, distinct days, SSID history, vendor and the randomized flag, and the
 * as-of history that keeps search cursors exact (docs/decisions/0012-as-of-search-cursors.md).
 * Everything reads temp.merge_stage only, so a replay (empty stage) changes nothing.
 *
 * Order inside mergePlan(): `before` runs after the observations insert and before the networks
 * upsert (history must hold the row before it changes), `after` runs after the device counts.
 */

/** The generation this merge will bump to (the bump runs last in the same transaction). */
const NEXT_GENERATION = "(coalesce((SELECT generation FROM merge_generation WHERE id = 1), 0) + 1)";
const POSITIONED = "lat IS NOT NULL AND lon IS NOT NULL";

const CREATE_MOMENTS = `CREATE TEMP TABLE IF NOT EXISTS merge_moments (mac TEXT PRIMARY KEY, w REAL NOT NULL,
  mlat REAL NOT NULL, mlon REAL NOT NULL, m2lat REAL NOT NULL, m2lon REAL NOT NULL)`;
const CREATE_VENDORS = `CREATE TEMP TABLE IF NOT EXISTS merge_vendors (mac TEXT PRIMARY KEY, vendor TEXT,
  randomized INTEGER NOT NULL)`;
const CLEAR_MOMENTS = "DELETE FROM temp.merge_moments";
const CLEAR_VENDORS = "DELETE FROM temp.merge_vendors";

// Two passes over the batch (mean, then squared deviations from it): the one-pass sum of squares loses
// every digit here, since positions differ in the 5th decimal of a degree.
const FILL_MOMENTS = `INSERT INTO temp.merge_moments (mac, w, mlat, mlon, m2lat, m2lon)
WITH m AS (SELECT mac, total(weight) AS w, total(weight * lat) / total(weight) AS mlat,
    total(weight * lon) / total(weight) AS mlon
  FROM temp.merge_stage WHERE ${POSITIONED} AND weight > 0 GROUP BY mac)
SELECT m.mac, m.w, m.mlat, m.mlon, total(s.weight * (s.lat - m.mlat) * (s.lat - m.mlat)),
  total(s.weight * (s.lon - m.mlon) * (s.lon - m.mlon))
FROM m JOIN temp.merge_stage AS s ON s.mac = m.mac AND s.lat IS NOT NULL AND s.lon IS NOT NULL
GROUP BY m.mac`;

const FILL_VENDORS = `INSERT INTO temp.merge_vendors (mac, vendor, randomized)
SELECT j.value->>0, j.value->>1, j.value->>2 FROM json_each(?) AS j WHERE true ON CONFLICT (mac) DO NOTHING`;

const NETWORK_STATE = `kind, ssid, auth_mode, channel, frequency_mhz, vendor, randomized, first_seen,
  last_seen, observation_count, device_count, best_rssi_dbm, best_lat, best_lon, lat, lon, radius_m,
  confidence, created_generation, updated_at`;

/** What each network this merge touches was before it (for cursors pinned to an older generation). */
const KEEP_HISTORY = `INSERT INTO network_history (mac, generation, ${NETWORK_STATE})
SELECT mac, ${NEXT_GENERATION}, ${NETWORK_STATE} FROM networks
WHERE mac IN (SELECT mac FROM temp.merge_stage) ON CONFLICT (mac, generation) DO NOTHING`;

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
 * After the upsert, `networks` holds the new sums, so the stored part (a) is recovered from them:
 * W_a = W - W_b, mean_a = (sum - W_b * mean_b) / W_a (exact when a was empty: (0 + w) - w = 0). Then
 * M2_total = M2_a + M2_b + delta^2 * W_a * W_b / (W_a + W_b) (Chan et al.). A new row's M2 is the batch's.
 * Everything per network is joined once from `x`, so no subquery runs per SET expression.
 */
const OLD_W = "(networks.weight_sum - x.w)";
const m2 = (axis: "lat" | "lon") => `CASE WHEN x.w IS NULL THEN networks.m2_${axis}
  WHEN networks.created_generation IS NULL OR ${OLD_W} <= 0 THEN networks.m2_${axis} + x.m2${axis}
  ELSE networks.m2_${axis} + x.m2${axis} + power(x.m${axis} - (networks.weighted_${axis}_sum - x.w * x.m${axis})
    / ${OLD_W}, 2) * ${OLD_W} * x.w / networks.weight_sum END`;
const RADIUS = `CASE WHEN networks.weight_sum > 0 AND networks.lat IS NOT NULL THEN sqrt(max(${m2("lat")}, 0)
  / networks.weight_sum * power(111320, 2) + max(${m2("lon")}, 0) / networks.weight_sum
  * power(111320 * cos(radians(networks.lat)), 2)) END`;
const n = "networks.observation_count";
const CONFIDENCE = `(${n} >= 3) + (${n} >= 10) + (x.days >= 2) + (x.days >= 7) + (networks.device_count >= 2)
  + (networks.device_count >= 3) + coalesce(${n} >= 3 AND ${RADIUS} <= 100, 0)`;
const fromVendors = (column: string) =>
  `CASE WHEN networks.created_generation IS NULL THEN x.${column} ELSE networks.${column} END`;

/** Every SET sees the row as it was before this UPDATE, so created_generation IS NULL means "new". */
const FINISH_NETWORKS = `UPDATE networks SET m2_lat = ${m2("lat")}, m2_lon = ${m2("lon")},
  radius_m = ${RADIUS}, confidence = ${CONFIDENCE}, day_count = x.days,
  vendor = ${fromVendors("vendor")}, randomized = coalesce(${fromVendors("randomized")}, 0),
  created_generation = coalesce(networks.created_generation, ${NEXT_GENERATION}),
  changed_generation = ${NEXT_GENERATION}, updated_at = ?
FROM (SELECT s.mac, mm.w, mm.mlat, mm.mlon, mm.m2lat, mm.m2lon, v.vendor, v.randomized,
    (SELECT count(*) FROM network_days d WHERE d.mac = s.mac) AS days
  FROM (SELECT DISTINCT mac FROM temp.merge_stage) AS s
  LEFT JOIN temp.merge_moments AS mm ON mm.mac = s.mac LEFT JOIN temp.merge_vendors AS v ON v.mac = s.mac) AS x
WHERE networks.mac = x.mac AND networks.mac IN (SELECT mac FROM temp.merge_stage)`;

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

export function networkEstimatesBefore(vendors: unknown[][]): InStatement[] {
  return [
    CREATE_MOMENTS,
    CREATE_VENDORS,
    CLEAR_MOMENTS,
    CLEAR_VENDORS,
    FILL_MOMENTS,
    { sql: FILL_VENDORS, args: [JSON.stringify(vendors)] },
    KEEP_HISTORY,
  ];
}

export function networkEstimatesAfter(now: number): InStatement[] {
  return [RECORD_DAYS, RECORD_SSIDS, { sql: FINISH_NETWORKS, args: [now] }, CLEAR_MOMENTS, CLEAR_VENDORS];
}
