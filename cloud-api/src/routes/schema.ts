import { z } from "zod";

/*
 * Request and response shapes of the public routes, in one place. Every error leaves as errorBodySchema.
 */

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
});

/**
 * POST /v1/ingest
 * Request: the wire body (see @piwardrive/shared-schema/wire), `Content-Type: application/vnd.piwardrive.delta+json`,
 * `Content-Encoding: gzip | br`, `Authorization: Bearer <device token>`.
 * 202 once the batch is committed to landed_batches: `accepted` the first time, `duplicate` for a resend
 * of the same (device, run, batch_seq); both mean "advance your cursor".
 * 400 bad_compression | invalid_json | unsupported_version | invalid_batch; 401 unauthorized;
 * 403 device_revoked | device_mismatch; 413 too_large; 415 unsupported_media_type | unsupported_encoding;
 * 429 rate_limited (Retry-After); 503 store_unavailable (Retry-After): nothing was stored, send again.
 */
export const ingestResponseSchema = z.object({ status: z.enum(["accepted", "duplicate"]) });
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

/**
 * GET /v1/stats (analyst key or higher).
 * `devices`: registered and not revoked. `batches.landed`: every batch ever received (each counted once,
 * resends excluded); `merged` and `failed` are subsets of it, so landed - merged - failed are still
 * waiting for their merge job.
 */
export const statsResponseSchema = z.object({
  observations: z.number().int().nonnegative(),
  networks: z.number().int().nonnegative(),
  devices: z.number().int().nonnegative(),
  batches: z.object({
    landed: z.number().int().nonnegative(),
    merged: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
});

/** GET /ready: 200 when both checks pass; 503 carries the error body plus the same `checks`. */
export const readyChecksSchema = z.object({ db: z.string(), redis: z.string() });
export const readyResponseSchema = z.object({ status: z.literal("ready"), checks: readyChecksSchema });

/** GET /health: the process is up (no dependency is checked). */
export const healthResponseSchema = z.object({ status: z.literal("ok") });
