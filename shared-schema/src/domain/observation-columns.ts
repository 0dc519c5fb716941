import type { ObservationRecord } from "./observation-record.js";

/**
 * The sighting columns edge and cloud `observations` share, in one order: SQL that moves sightings as
 * JSON arrays (the edge writer, the cloud merge, tests and benchmarks) builds its column list from this
 * and its values with `observationValues`, so the two can never drift apart.
 */
export const OBSERVATION_SQL_COLUMNS = [
  "kind",
  "mac",
  "ssid",
  "auth_mode",
  "capabilities",
  "seen_at",
  "channel",
  "frequency_mhz",
  "rssi_dbm",
  "rssi_estimated",
  "lat",
  "lon",
  "altitude_m",
  "accuracy_m",
  "rcois",
  "mfgr_id",
  "source",
] as const;

export type ObservationSqlColumn = (typeof OBSERVATION_SQL_COLUMNS)[number];

/** A sighting's values in OBSERVATION_SQL_COLUMNS order (booleans as 0/1, as SQLite stores them). */
export function observationValues(o: ObservationRecord): (string | number | null)[] {
  return [
    o.kind,
    o.mac,
    o.ssid,
    o.authMode,
    o.capabilities,
    o.seenAt,
    o.channel,
    o.frequencyMhz,
    o.rssiDbm,
    o.rssiEstimated ? 1 : 0,
    o.lat,
    o.lon,
    o.altitudeM,
    o.accuracyM,
    o.rcois,
    o.mfgrId,
    o.source,
  ];
}
