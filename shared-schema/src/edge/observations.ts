import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Append-only sightings: the edge outbox. `seq` is AUTOINCREMENT so it never goes backwards after
 * retention deletes the newest acknowledged rows; `run_id` (random per agent process) keeps rows written
 * after a power-cut rollback distinct from the rolled-back ones that reused the same seq.
 * Every field a WiGLE CSV row carries has a column here.
 */
export const observations = sqliteTable(
  "observations",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    /** wifi | ble | bt | gsm | lte | wcdma | cdma | nr */
    kind: text("kind").notNull(),
    /** Lower-case aa:bb:cc:dd:ee:ff for radios; the WiGLE cell key (MCC_MNC_LAC_CID style) for cells. */
    mac: text("mac").notNull(),
    /** null = hidden or no name. */
    ssid: text("ssid"),
    /** Normalised auth vocabulary (OPEN, WEP, WPA, WPA2, WPA3, WPA2/WPA3, ...). */
    authMode: text("auth_mode"),
    /** The capability string as the source wrote it (e.g. WiGLE's `[WPA2-PSK-CCMP][ESS]`). */
    capabilities: text("capabilities"),
    /** Sighting time, ms since the Unix epoch. */
    seenAt: integer("seen_at").notNull(),
    channel: integer("channel"),
    frequencyMhz: integer("frequency_mhz"),
    rssiDbm: integer("rssi_dbm"),
    /** 1 when rssi_dbm was converted from a quality ratio rather than reported in dBm. */
    rssiEstimated: integer("rssi_estimated").notNull().default(0),
    lat: real("lat"),
    lon: real("lon"),
    altitudeM: real("altitude_m"),
    accuracyM: real("accuracy_m"),
    rcois: text("rcois"),
    mfgrId: integer("mfgr_id"),
    /** Which source wrote it: iw, iwlist, nmcli, wigle, kismet, btmgmt, ... */
    source: text("source").notNull(),
  },
  // Deliberately no secondary index: the outbox is read by seq (the primary key), and every query by
  // transmitter, place, signal or name runs against `networks`. A (mac, seen_at) index cost more than half
  // of every commit's pages (docs/decisions/0009-outbox-without-secondary-index.md).
);

export type ObservationRow = typeof observations.$inferSelect;
export type NewObservationRow = typeof observations.$inferInsert;
