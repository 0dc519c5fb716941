import { z } from "zod";

export const OBSERVATION_KINDS = ["wifi", "ble", "bt", "gsm", "lte", "wcdma", "cdma", "nr"] as const;
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];

/**
 * One sighting as every source produces it and the BatchedWriter stores it. Times are ms since the
 * epoch; positions are WGS84 degrees. `mac` is already normalised.
 */
export const observationRecordSchema = z.object({
  kind: z.enum(OBSERVATION_KINDS),
  mac: z.string().min(1).max(64),
  ssid: z.string().max(512).nullable(),
  authMode: z.string().max(32).nullable(),
  capabilities: z.string().max(1024).nullable(),
  seenAt: z.number().int(),
  channel: z.number().int().nullable(),
  frequencyMhz: z.number().int().nullable(),
  rssiDbm: z.number().int().min(-150).max(30).nullable(),
  rssiEstimated: z.boolean(),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  altitudeM: z.number().nullable(),
  accuracyM: z.number().min(0).nullable(),
  rcois: z.string().max(256).nullable(),
  mfgrId: z.number().int().min(0).max(0xffff).nullable(),
  source: z.string().min(1).max(32),
});

export type ObservationRecord = z.infer<typeof observationRecordSchema>;

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

/** A GPS fix as sources produce it (mode >= 2 with a position). */
export const gpsFixRecordSchema = z.object({
  fixedAt: z.number().int(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  altitudeM: z.number().nullable(),
  mode: z.number().int().min(2).max(3),
  accuracyM: z.number().min(0).nullable(),
  hdop: z.number().min(0).nullable(),
  speedMps: z.number().nullable(),
  trackDeg: z.number().nullable(),
  source: z.string().min(1).max(32),
});

export type GpsFixRecord = z.infer<typeof gpsFixRecordSchema>;
