import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * What a network row was just before the merge of `generation` changed it. A search cursor pinned to
 * generation G reads, for a network changed after G, the first history row after G: the row as of G.
 * Written only while some cursor could need it, and pruned once older than the cursor lifetime
 * (`superseded_at`, the merge's clock). See docs/decisions/0012-as-of-search-cursors.md and 0022.
 */
export const networkHistory = sqliteTable(
  "network_history",
  {
    mac: text("mac").notNull(),
    generation: integer("generation").notNull(),
    kind: text("kind").notNull(),
    ssid: text("ssid"),
    authMode: text("auth_mode"),
    channel: integer("channel"),
    frequencyMhz: integer("frequency_mhz"),
    vendor: text("vendor"),
    randomized: integer("randomized").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    observationCount: integer("observation_count").notNull(),
    deviceCount: integer("device_count").notNull(),
    bestRssiDbm: integer("best_rssi_dbm"),
    bestLat: real("best_lat"),
    bestLon: real("best_lon"),
    lat: real("lat"),
    lon: real("lon"),
    radiusM: real("radius_m"),
    confidence: integer("confidence").notNull(),
    createdGeneration: integer("created_generation"),
    updatedAt: integer("updated_at"),
    /** The merge clock (epoch ms) of the merge that replaced this state. */
    supersededAt: integer("superseded_at").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.mac, t.generation] }),
    index("network_history_generation_idx").on(t.generation),
  ],
);

/** The distinct UTC days (epoch day numbers) each transmitter was seen on: the confidence's day count. */
export const networkDays = sqliteTable(
  "network_days",
  { mac: text("mac").notNull(), day: integer("day").notNull() },
  (t) => [primaryKey({ columns: [t.mac, t.day] })],
);

/**
 * Each distinct (SSID, auth mode, channel) a BSSID announced. Unknown parts are stored as '' / -1 so the
 * primary key treats them as one value (NULLs would never collide); the API maps them back to null.
 */
export const ssidHistory = sqliteTable(
  "ssid_history",
  {
    mac: text("mac").notNull(),
    ssid: text("ssid").notNull(),
    authMode: text("auth_mode").notNull(),
    channel: integer("channel").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mac, t.ssid, t.authMode, t.channel] })],
);
