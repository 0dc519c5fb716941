import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** GPS fixes (mode >= 2 with a position), one per source epoch. */
export const gpsFixes = sqliteTable(
  "gps_fixes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    /** Fix time, ms since the Unix epoch. */
    fixedAt: integer("fixed_at").notNull(),
    lat: real("lat").notNull(),
    lon: real("lon").notNull(),
    altitudeM: real("altitude_m"),
    /** 2 = 2D, 3 = 3D. */
    mode: integer("mode").notNull(),
    /** Horizontal error estimate in metres (gpsd eph, or HDOP x 5 m from NMEA). */
    accuracyM: real("accuracy_m"),
    hdop: real("hdop"),
    speedMps: real("speed_mps"),
    trackDeg: real("track_deg"),
    source: text("source").notNull(),
  },
  (t) => [
    uniqueIndex("gps_fixes_source_time_idx").on(t.source, t.fixedAt),
    index("gps_fixes_time_idx").on(t.fixedAt),
  ],
);

export type GpsFixRow = typeof gpsFixes.$inferSelect;
