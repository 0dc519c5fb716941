import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The map cell of a network's estimated location for the search's spatial walk: 1/100 degree squares
 * (~1.1 km north-south), `latCell * 65536 + lonCell` with both counted from (-90, -180) so they are never
 * negative (CAST truncates, which is floor there). The index below is on this very expression, so a
 * query must spell it the same way (networkCellSql with its own column names; cellsCovering in
 * cloud-api/src/analyst/geo-cells.ts computes the same numbers in JS).
 */
export const NETWORK_CELLS_PER_DEGREE = 100;
export const networkCellSql = (lat: string, lon: string) =>
  `CAST((${lat} + 90) * ${NETWORK_CELLS_PER_DEGREE} AS INTEGER) * 65536 + CAST((${lon} + 180) * ${NETWORK_CELLS_PER_DEGREE} AS INTEGER)`;

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
    /** Weighted sums of squared deviations from the centroid (Chan et al.), for the uncertainty radius. */
    m2Lat: real("m2_lat").notNull().default(0),
    m2Lon: real("m2_lon").notNull().default(0),
    radiusM: real("radius_m"),
    /** 0-7, see docs/analyst-aggregates.md. */
    confidence: integer("confidence").notNull().default(0),
    dayCount: integer("day_count").notNull().default(0),
    /** OUI vendor, looked up once at first insert; null when unknown or randomized. */
    vendor: text("vendor"),
    /** Locally administered MAC (bit 1 of the first octet). */
    randomized: integer("randomized").notNull().default(0),
    /** Merge generation that created / last changed the row; network_history keeps what it was before. */
    createdGeneration: integer("created_generation"),
    changedGeneration: integer("changed_generation").notNull().default(0),
    /** The merge clock of the last change (epoch ms): `changedSince`. */
    updatedAt: integer("updated_at"),
  },
  (t) => [
    // bbox searches: each map cell's networks in last_seen order, covering for the bbox and as-of tests.
    index("cloud_networks_cell_seen_idx").on(
      sql.raw(networkCellSql("lat", "lon")),
      t.lastSeen,
      t.mac,
      t.lat,
      t.lon,
      t.changedGeneration,
    ),
    index("cloud_networks_ssid_lower_idx").on(sql`lower(${t.ssid})`),
    // The evil-twin rule: the known BSSIDs of one SSID within a latitude band around a new one.
    index("cloud_networks_ssid_lat_idx").on(t.ssid, t.lat),
    // The search's walk in last_seen order: covering for the bbox and as-of tests, so the walk reads a
    // row only for the other filters (decision 0032). Also serves every last_seen range (no separate
    // last_seen index: each would be rewritten per merge; a merge rewrites this one anyway, last_seen moves).
    index("cloud_networks_seen_walk_idx").on(t.lastSeen, t.mac, t.lat, t.lon, t.changedGeneration),
    index("cloud_networks_rssi_mac_idx").on(t.bestRssiDbm, t.mac),
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
    /** Sightings this device contributed. */
    observations: integer("observations").notNull().default(0),
    /** The merge generation that first linked them (as-of `device` filter of paged searches). */
    firstGeneration: integer("first_generation").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.mac, t.deviceId] })],
);
