import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per transmitter (BSSID, BT/BLE address or cell key), maintained by the BatchedWriter in the
 * same transaction as the observations it summarises. The RSSI-weighted sums let the position estimate
 * be updated incrementally: lat = weighted_lat_sum / weight_sum.
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
