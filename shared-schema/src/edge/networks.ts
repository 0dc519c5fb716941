import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per transmitter (BSSID, BT/BLE address or cell key), maintained by the BatchedWriter in the
 * same transaction as the observations it summarises. The RSSI-weighted sums let the position estimate
 * be updated incrementally: lat = weighted_lat_sum / weight_sum. It is also where per-transmitter
 * statistics come from (counts, first/last seen, best and mean RSSI): they cover every sighting, including
 * those retention has since pruned from the outbox.
 */
export const networks = sqliteTable(
  "networks",
  {
    mac: text("mac").primaryKey(),
    kind: text("kind").notNull(),
    ssid: text("ssid"),
    authMode: text("auth_mode"),
    channel: integer("channel"),
    frequencyMhz: integer("frequency_mhz"),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    observationCount: integer("observation_count").notNull(),
    bestRssiDbm: integer("best_rssi_dbm"),
    bestLat: real("best_lat"),
    bestLon: real("best_lon"),
    /** Current position estimate (weighted centroid), kept in step with the sums below for indexing. */
    lat: real("lat"),
    lon: real("lon"),
    weightSum: real("weight_sum").notNull().default(0),
    weightedLatSum: real("weighted_lat_sum").notNull().default(0),
    weightedLonSum: real("weighted_lon_sum").notNull().default(0),
    /** Sum and count of the sightings that carried an RSSI: the mean signal without reading observations. */
    rssiSum: integer("rssi_sum").notNull().default(0),
    rssiCount: integer("rssi_count").notNull().default(0),
  },
  (t) => [
    // The tuning guide's indexes, made valid for SQLite (see docs/decisions/0003-indexes.md).
    index("networks_geo_seen_idx").on(t.lat, t.lon, t.lastSeen),
    index("networks_rssi_seen_idx").on(t.bestRssiDbm, t.lastSeen),
    index("networks_seen_idx").on(t.lastSeen),
    index("networks_ssid_lower_idx").on(sql`lower(${t.ssid})`),
    index("networks_named_seen_idx").on(t.lastSeen).where(sql`${t.ssid} IS NOT NULL AND ${t.ssid} <> ''`),
  ],
);

export type NetworkRow = typeof networks.$inferSelect;
