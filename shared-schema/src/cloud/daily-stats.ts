import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Sightings per UTC day (epoch day number) and device: the daily observations and active devices. */
export const dailyDeviceActivity = sqliteTable(
  "daily_device_activity",
  {
    day: integer("day").notNull(),
    deviceId: text("device_id").notNull(),
    observations: integer("observations").notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.deviceId] })],
);

/**
 * Transmitters whose fleet-wide first sighting falls on `day`. A late batch can move a transmitter's
 * first day earlier: the merge then adds one to the new day and takes one from the old.
 */
export const dailyNewTransmitters = sqliteTable("daily_new_transmitters", {
  day: integer("day").primaryKey(),
  transmitters: integer("transmitters").notNull(),
});
