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

// WITHOUT ROWID: the fill and the upsert's lookup by MAC touch one b-tree, not a rowid table and its index.
const CREATE_VENDORS = `CREATE TEMP TABLE IF NOT EXISTS merge_vendors (mac TEXT PRIMARY KEY, vendor TEXT,
  randomized INTEGER NOT NULL) WITHOUT ROWID`;
const CLEAR_VENDORS = "DELETE FROM temp.merge_vendors";

// One member per MAC (VendorRows): the vendor's name, or 0 / 1 (randomized) when it has none. Reading
// `key` and `atom` of json_each parses nothing more; `->>` on an array member re-parsed it per field.
const FILL_VENDORS = `INSERT INTO temp.merge_vendors (mac, vendor, randomized)
SELECT j.key, CASE WHEN j.type = 'text' THEN j.atom END, CASE WHEN j.type = 'text' THEN 0 ELSE j.atom END
FROM json_each(?) AS j WHERE true ON CONFLICT (mac) DO NOTHING`;

const NETWORK_STATE = `kind, ssid, auth_mode, channel, frequency_mhz, vendor, randomized, first_seen,
  last_seen, observation_count, device_count, best_rssi_dbm, best_lat, best_lon, lat, lon, radius_m,
  confidence, created_generation, updated_at`;

/**
 * What each network this merge touches was before it, for cursors pinned to an older generation. Only
 * networks last changed at or before the newest pinned generation: a cursor pinned at G needs the old row
 * of a network changed after G, and a network last changed after every pinned G is needed by none (a
 * later first page pins a generation that already includes this merge; the pin is a write, so it and this
 * merge are serialised). Decision 0022. `?` is the merge clock (superseded_at, for pruning).
 * merge_generation is the outer loop so that the oldest changed_generation (one seek in its index) is
 * compared first: while no network is that old (no cursor ever pinned: paged_generation 0) the batch's
 * MACs are not looked up one by one only to find each too new; once some network is, it costs that seek.
 */
const KEEP_HISTORY = `INSERT INTO network_history (mac, generation, ${NETWORK_STATE}, superseded_at)
SELECT networks.mac, ${NEXT_GENERATION}, ${NETWORK_STATE.split(",")
  .map((column) => `networks.${column.trim()}`)
  .join(", ")}, ? FROM merge_generation AS mg CROSS JOIN networks
WHERE mg.id = 1 AND (SELECT min(changed_generation) FROM networks) <= mg.paged_generation
  AND networks.mac IN (SELECT mac FROM temp.merge_stage) AND networks.changed_generation <= mg.paged_generation
ON CONFLICT (mac, generation) DO NOTHING`;

const RECORD_DAYS = `INSERT OR IGNORE INTO network_days (mac, day)
SELECT DISTINCT mac, seen_at / 86400000 FROM temp.merge_stage`;

// NOT INDEXED: the GROUP BY sorts anyway, and the stage's (mac, seen_at) index only added a lookup per row.
const RECORD_SSIDS = `INSERT INTO ssid_history (mac, ssid, auth_mode, channel, first_seen, last_seen, count)
SELECT mac, coalesce(ssid, ''), coalesce(auth_mode, ''), coalesce(channel, -1), min(seen_at), max(seen_at),
  count(*)
FROM temp.merge_stage NOT INDEXED WHERE kind = 'wifi' GROUP BY 1, 2, 3, 4
ON CONFLICT (mac, ssid, auth_mode, channel) DO UPDATE SET first_seen = min(ssid_history.first_seen,
  excluded.first_seen), last_seen = max(ssid_history.last_seen, excluded.last_seen),
  count = ssid_history.count + excluded.count`;

/*
 * Inside the upsert, `g` is the batch per transmitter (n, positioned weight w and weighted sums wlat/wlon,
 * devices). The estimates extend it into `m`, which the upsert reads as its `g`: the distinct-day count
 * (network_days is recorded first) and, combined with the stored row (`n`, NULL for a new network), the
 * network's M2 over all its sightings, weight, weighted latitude and sightings. M2 takes a second pass
 * over the stage, deviations from the batch mean (a one-pass sum of squares loses every digit at 1e-5
 * degree spreads), and is combined with the stored one as M2 = M2_a + M2_b + delta^2 * W_a * W_b /
 * (W_a + W_b) (Chan et al.), exact for any batch split. A new network gets the batch alone.
 * So the combination is computed once per transmitter, and the radius once per row (as SET expressions
 * on networks.* and excluded.* M2 was evaluated three times, the radius twice, and the INSERT's batch-only
 * values on every row, conflicting or not); ON CONFLICT only copies them from excluded.*. Each
 * transmitter is one row of `g`, so the stored row `n` reads is the very row ON CONFLICT then updates,
 * unchanged until then (and SQLite buffers an INSERT ... SELECT that reads its own table).
 */
/** The weighted standard distance in metres (docs/analyst-aggregates.md). */
const radius = (w: string, m2lat: string, m2lon: string, lat: string) => `CASE WHEN ${w} > 0 THEN
  sqrt(max(${m2lat}, 0) / ${w} * power(111320, 2) + max(${m2lon}, 0) / ${w} * power(111320 * cos(radians(${lat})), 2))
  END`;
const confidence = (n: string, days: string, devices: string, radiusM: string) =>
  `(${n} >= 3) + (${n} >= 10) + (${days} >= 2) + (${days} >= 7) + (${devices} >= 2) + (${devices} >= 3)
  + coalesce(${n} >= 3 AND ${radiusM} <= 100, 0)`;

// The stored part (a) is n.*, the batch (b) is g's sums and its M2 (the aggregates named in BATCH_M2).
const M2 = (axis: "lat" | "lon") =>
  `total(s.weight * (s.${axis} - g.w${axis} / g.w) * (s.${axis} - g.w${axis} / g.w))`;
const OLD_W = "n.weight_sum";
const NEW_W = "(n.weight_sum + g.w)";
const combinedM2 = (axis: "lat" | "lon") => `(n.m2_${axis} + ${M2(axis)}
  + CASE WHEN ${OLD_W} > 0 AND g.w > 0 THEN power(g.w${axis}
    / g.w - n.weighted_${axis}_sum / ${OLD_W}, 2) * ${OLD_W} * g.w
    / ${NEW_W} ELSE 0 END)`;
const BATCH_M2 = `m AS MATERIALIZED (SELECT g.*,
    CASE WHEN n.mac IS NULL THEN ${M2("lat")} ELSE ${combinedM2("lat")} END AS m2lat_all,
    CASE WHEN n.mac IS NULL THEN ${M2("lon")} ELSE ${combinedM2("lon")} END AS m2lon_all,
    CASE WHEN n.mac IS NULL THEN g.w ELSE ${NEW_W} END AS w_all,
    CASE WHEN n.mac IS NULL THEN g.wlat ELSE n.weighted_lat_sum + g.wlat END AS wlat_all,
    CASE WHEN n.mac IS NULL THEN g.n ELSE n.observation_count + g.n END AS n_all,
    (SELECT count(*) FROM network_days d WHERE d.mac = g.mac) AS days
  FROM g LEFT JOIN networks AS n ON n.mac = g.mac
  LEFT JOIN temp.merge_stage AS s ON s.mac = g.mac AND s.lat IS NOT NULL AND s.lon IS NOT NULL AND g.w > 0
  GROUP BY g.mac)`;
const RADIUS_ALL = radius("g.w_all", "g.m2lat_all", "g.m2lon_all", "g.wlat_all / g.w_all");
// The vendor is looked up once, when the row is created (created_generation is still NULL).
const fromVendors = (column: string) =>
  `CASE WHEN networks.created_generation IS NULL THEN excluded.${column} ELSE networks.${column} END`;

/**
 * The estimates' share of the networks upsert: CTEs after `g`, the CTE the upsert reads as `g`, joins
 * after it, and per column the value a new network gets and the SET expression of an existing one. `?`
 * (the merge clock) is its one argument.
 */
export const ESTIMATES_IN_UPSERT = {
  ctes: [BATCH_M2],
  from: "m AS g",
  joins: "LEFT JOIN temp.merge_vendors AS v ON v.mac = g.mac",
  columns: [
    ["m2_lat", "g.m2lat_all", "excluded.m2_lat"],
    ["m2_lon", "g.m2lon_all", "excluded.m2_lon"],
    ["radius_m", RADIUS_ALL, "excluded.radius_m"],
    ["confidence", confidence("g.n_all", "g.days", "g.devices", RADIUS_ALL), "excluded.confidence"],
    ["day_count", "g.days", "excluded.day_count"],
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

/**
 * Vendor and randomized flag of each distinct MAC, as FILL_VENDORS reads them: MAC -> the vendor's name,
 * or the randomized flag (0 or 1) when it has none. A randomized (locally administered) MAC never has one.
 */
export type VendorRows = Record<string, string | 0 | 1>;

/** VendorRows of the batch's MACs, computed here (a Map lookup) rather than in SQL. */
export function vendorRows(macs: Iterable<string>, kindOf: (mac: string) => string): VendorRows {
  const rows: VendorRows = Object.create(null);
  for (const mac of macs) {
    const macLike = kindOf(mac) === "wifi" || kindOf(mac) === "bt" || kindOf(mac) === "ble";
    const randomized = macLike && isLocallyAdministered(mac);
    const vendor = macLike ? vendorOf(mac) : null;
    if (vendor !== null && randomized) throw new Error(`vendorRows: ${mac} is randomized and has a vendor`);
    rows[mac] = vendor ?? (randomized ? 1 : 0);
  }
  return rows;
}

export function networkEstimatesBefore(vendors: VendorRows, now: number): InStatement[] {
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
