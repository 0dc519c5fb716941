import { z } from "zod";
import { gpsFixRecordSchema, observationRecordSchema } from "../validation/record-schemas.js";

/**
 * The logical content of one sync batch: what the edge sends and the cloud lands. On the wire it travels
 * columnar, dictionary- and delta-coded, and compressed (see columnar-batch.ts, encode-batch.ts,
 * decode-batch.ts); this is the shape both sides work with after decoding, validated with zod.
 */
export const WIRE_VERSION = 1;

export const wireObservationSchema = observationRecordSchema.extend({
  /** The edge's outbox sequence number; unique per (device, run). */
  seq: z.number().int().positive(),
});
export type WireObservation = z.infer<typeof wireObservationSchema>;

/**
 * What the edge's resource guards decided when the sample was taken (see edge-agent/src/guards). Optional:
 * an agent that predates it sends samples without `guards`, and a cloud that predates it ignores the field.
 */
export const wireGuardStatesSchema = z.object({
  memory: z.enum(["none", "moderate", "critical"]),
  diskBelowFloor: z.boolean(),
  hot: z.boolean(),
  lagging: z.boolean(),
  scanIntervalMultiplier: z.number().positive().max(1000),
});
export type WireGuardStates = z.infer<typeof wireGuardStatesSchema>;

export const wireHealthSampleSchema = z.object({
  sampledAt: z.number().int(),
  rssMb: z.number().nullable(),
  availableMemMb: z.number().nullable(),
  diskFreeMb: z.number().nullable(),
  socTempC: z.number().nullable(),
  eventLoopLagMs: z.number().nullable(),
  writerQueueDepth: z.number().int().nullable(),
  guards: wireGuardStatesSchema.optional(),
});
export type WireHealthSample = z.infer<typeof wireHealthSampleSchema>;

export const deltaBatchSchema = z
  .object({
    version: z.literal(WIRE_VERSION),
    deviceId: z.string().min(1).max(64),
    /** The agent run that wrote these rows (random per process; survives a power-cut rollback). */
    runId: z.string().min(1).max(64),
    /** Per (device, run) batch counter; with deviceId and runId the idempotency key of the batch. */
    batchSeq: z.number().int().nonnegative(),
    firstSeq: z.number().int().positive(),
    lastSeq: z.number().int().positive(),
    observations: z.array(wireObservationSchema).max(100_000),
    gpsTrack: z.array(gpsFixRecordSchema).max(100_000),
    health: z.array(wireHealthSampleSchema).max(10_000),
  })
  .refine((b) => b.firstSeq <= b.lastSeq, { message: "firstSeq must not exceed lastSeq" })
  .refine((b) => b.observations.every((o) => o.seq >= b.firstSeq && o.seq <= b.lastSeq), {
    message: "every observation seq must lie within [firstSeq, lastSeq]",
  });
export type DeltaBatch = z.infer<typeof deltaBatchSchema>;

/** Why a body was refused; maps to an HTTP status at the API edge. */
export type WireErrorCode =
  | "unsupported_encoding"
  | "bad_compression"
  | "too_large"
  | "invalid_json"
  | "unsupported_version"
  | "invalid_batch";

export class WireError extends Error {
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string) {
    super(message);
    this.name = "WireError";
    this.code = code;
  }
}

export interface WireLimits {
  /** Largest compressed body accepted, in bytes. */
  maxCompressedBytes: number;
  /** Largest body after decompression; inflation stops as soon as it is passed (gzip bombs). */
  maxDecompressedBytes: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxCompressedBytes: 4 * 1024 * 1024,
  maxDecompressedBytes: 32 * 1024 * 1024,
};
