import type { ObservationKind, ObservationRecord } from "./observation-record.js";

/**
 * The sighting columns edge and cloud `observations` share, in one order: SQL that moves sightings as
 * value lists (the edge writer, the cloud merge, tests and benchmarks) builds its column list from this
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
  const values: (string | number | null)[] = [];
  pushObservationValues(o, values);
  return values;
}

/**
 * Appends a sighting's values in OBSERVATION_SQL_COLUMNS order to `out`: the edge writer fills a
 * statement's arguments this way, without an array per row (a million of them per million sightings).
 */
export function pushObservationValues(o: ObservationRecord, out: (string | number | null)[]): void {
  out.push(
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
  );
}

/**
 * The sighting whose `observationValues` these are. Values that crossed a thread or a process as a JSON
 * array come back this way: an array parses at less than half the cost of the object with its 17 keys.
 */
export function observationFromValues(v: readonly (string | number | null)[]): ObservationRecord {
  return {
    kind: v[0] as ObservationKind,
    mac: v[1] as string,
    ssid: v[2] as string | null,
    authMode: v[3] as string | null,
    capabilities: v[4] as string | null,
    seenAt: v[5] as number,
    channel: v[6] as number | null,
    frequencyMhz: v[7] as number | null,
    rssiDbm: v[8] as number | null,
    rssiEstimated: v[9] === 1,
    lat: v[10] as number | null,
    lon: v[11] as number | null,
    altitudeM: v[12] as number | null,
    accuracyM: v[13] as number | null,
    rcois: v[14] as string | null,
    mfgrId: v[15] as number | null,
    source: v[16] as string,
  };
}
