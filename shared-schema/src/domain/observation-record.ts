/**
 * The records every source produces and the BatchedWriter stores, as plain types: no validation library
 * is loaded by importing them, so the edge agent's store and writer stay small (observation.ts holds the
 * zod schemas that validate untrusted input against these same shapes).
 */
export const OBSERVATION_KINDS = ["wifi", "ble", "bt", "gsm", "lte", "wcdma", "cdma", "nr"] as const;
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];

/**
 * One sighting. Times are ms since the epoch; positions are WGS84 degrees. `mac` is already normalised.
 */
export interface ObservationRecord {
  kind: ObservationKind;
  mac: string;
  ssid: string | null;
  authMode: string | null;
  capabilities: string | null;
  seenAt: number;
  channel: number | null;
  frequencyMhz: number | null;
  rssiDbm: number | null;
  rssiEstimated: boolean;
  lat: number | null;
  lon: number | null;
  altitudeM: number | null;
  accuracyM: number | null;
  rcois: string | null;
  mfgrId: number | null;
  source: string;
}

/** A GPS fix as sources produce it (mode >= 2 with a position). */
export interface GpsFixRecord {
  fixedAt: number;
  lat: number;
  lon: number;
  altitudeM: number | null;
  mode: number;
  accuracyM: number | null;
  hdop: number | null;
  speedMps: number | null;
  trackDeg: number | null;
  source: string;
}

/** A record with every optional field empty: sources spread their fields over it. */
export function emptyObservation(
  fields: Pick<ObservationRecord, "kind" | "mac" | "seenAt" | "source">,
): ObservationRecord {
  return {
    ssid: null,
    authMode: null,
    capabilities: null,
    channel: null,
    frequencyMhz: null,
    rssiDbm: null,
    rssiEstimated: false,
    lat: null,
    lon: null,
    altitudeM: null,
    accuracyM: null,
    rcois: null,
    mfgrId: null,
    ...fields,
  };
}
