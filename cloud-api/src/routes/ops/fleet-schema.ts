import { z } from "zod";

/* Request and response shapes of the fleet routes (operator key or higher). Times are ISO 8601 UTC. */

const isoTime = z.iso.datetime();

/** GET /v1/devices/{id}: since/until ISO 8601 or epoch ms. */
export const deviceDetailQuerySchema = z.strictObject({
  since: z.string().optional(),
  until: z.string().optional(),
});

export const guardStatesSchema = z.object({
  memory: z.enum(["none", "moderate", "critical"]),
  diskBelowFloor: z.boolean(),
  hot: z.boolean(),
  lagging: z.boolean(),
  scanIntervalMultiplier: z.number(),
});

export const healthSampleSchema = z.object({
  sampledAt: isoTime,
  rssMb: z.number().nullable(),
  availableMemMb: z.number().nullable(),
  diskFreeMb: z.number().nullable(),
  socTempC: z.number().nullable(),
  eventLoopLagMs: z.number().nullable(),
  writerQueueDepth: z.number().int().nullable(),
  guards: guardStatesSchema.nullable(),
});

export const deviceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  revoked: z.boolean(),
  lastContactAt: isoTime.nullable(),
  lastBatchAt: isoTime.nullable(),
  observations: z.number().int(),
  backlog: z.number().int().nullable(),
  agentVersion: z.string().nullable(),
  health: healthSampleSchema.nullable(),
  lastPosition: z.object({ lat: z.number(), lon: z.number(), fixedAt: isoTime }).nullable(),
  stale: z.boolean(),
});

export const devicesResponseSchema = z.object({
  devices: z.array(deviceViewSchema),
  staleAfterMs: z.number().int(),
});

export const deviceDetailResponseSchema = z.object({
  device: deviceViewSchema,
  since: isoTime,
  until: isoTime,
  health: z.array(healthSampleSchema),
  track: z.array(
    z.object({
      fixedAt: isoTime,
      lat: z.number(),
      lon: z.number(),
      altitudeM: z.number().nullable(),
      mode: z.number().int(),
      accuracyM: z.number().nullable(),
      speedMps: z.number().nullable(),
    }),
  ),
  truncated: z.object({ health: z.boolean(), track: z.boolean() }),
});
