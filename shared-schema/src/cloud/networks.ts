import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Fleet-wide aggregate per transmitter, updated by the merge worker only from rows it actually inserted. */
export const cloudNetworks = sqliteTable(
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
    deviceCount: integer("device_count").notNull().default(0),
    bestRssiDbm: integer("best_rssi_dbm"),
    bestLat: real("best_lat"),
    bestLon: real("best_lon"),
    lat: real("lat"),
    lon: real("lon"),
    weightSum: real("weight_sum").notNull().default(0),
    weightedLatSum: real("weighted_lat_sum").notNull().default(0),
    weightedLonSum: real("weighted_lon_sum").notNull().default(0),
  },
  (t) => [
    index("cloud_networks_geo_seen_idx").on(t.lat, t.lon, t.lastSeen),
    index("cloud_networks_seen_idx").on(t.lastSeen),
    index("cloud_networks_ssid_lower_idx").on(sql`lower(${t.ssid})`),
  ],
);

/** Which devices have seen which network (for device_count and "seen by"). */
export const networkDevices = sqliteTable(
  "network_devices",
  {
    mac: text("mac").notNull(),
    deviceId: text("device_id").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mac, t.deviceId] })],
);
