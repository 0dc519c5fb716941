import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The fleet's sightings, keyed by (device, run, seq) so a replayed batch inserts nothing twice. */
export const cloudObservations = sqliteTable(
  "observations",
  {
    deviceId: text("device_id").notNull(),
    runId: text("run_id").notNull(),
    seq: integer("seq").notNull(),
    kind: text("kind").notNull(),
    mac: text("mac").notNull(),
    ssid: text("ssid"),
    authMode: text("auth_mode"),
    capabilities: text("capabilities"),
    seenAt: integer("seen_at").notNull(),
    channel: integer("channel"),
    frequencyMhz: integer("frequency_mhz"),
    rssiDbm: integer("rssi_dbm"),
    rssiEstimated: integer("rssi_estimated").notNull().default(0),
    lat: real("lat"),
    lon: real("lon"),
    altitudeM: real("altitude_m"),
    accuracyM: real("accuracy_m"),
    rcois: text("rcois"),
    mfgrId: integer("mfgr_id"),
    source: text("source").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.runId, t.seq] }),
    index("cloud_observations_mac_seen_idx").on(t.mac, t.seenAt),
    // The keyset of GET /v1/observations: (seen_at, device_id, run_id, seq).
    index("cloud_observations_seen_key_idx").on(t.seenAt, t.deviceId, t.runId, t.seq),
  ],
);
