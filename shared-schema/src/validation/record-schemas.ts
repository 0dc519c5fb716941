import { z } from "zod";
import {
  type GpsFixRecord,
  OBSERVATION_KINDS,
  type ObservationRecord,
} from "../domain/observation-record.js";

/**
 * Validation of untrusted records against the plain types of domain/observation-record.ts. The `satisfies`
 * clauses keep each schema and its type in step: a field added to one and not the other fails to compile.
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
}) satisfies z.ZodType<ObservationRecord>;

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
}) satisfies z.ZodType<GpsFixRecord>;

/** The inferred types equal the plain ones in both directions (checked at compile time only). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchRecords: [
  Same<z.infer<typeof observationRecordSchema>, ObservationRecord>,
  Same<z.infer<typeof gpsFixRecordSchema>, GpsFixRecord>,
] = [true, true];
void schemasMatchRecords;
