import {
  AGENT_VERSION_HEADER,
  BACKLOG_HEADER,
  decodeDeltaBatch,
  parseAgentVersionHeader,
  parseBacklogHeader,
  WIRE_CONTENT_TYPE,
} from "@piwardrive/shared-schema/wire";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { ApiError, toApiError } from "../api-error.js";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireDevice } from "../auth/device-token.js";
import { errorFields, type Logger } from "../logger.js";
import type { BatchKey } from "../services/batch-key.js";
import { type AgentReport, landBatch } from "../services/land-batch.js";
import type { IngestResponse } from "./schema.js";

const ENCODINGS = new Set(["gzip", "br"]);

/** 415 unless the body is the wire type in a supported encoding; checked before the body is read. */
const requireWireHeaders = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== WIRE_CONTENT_TYPE) {
    throw new ApiError(415, "unsupported_media_type", `Content-Type must be ${WIRE_CONTENT_TYPE}`);
  }
  const encoding = c.req.header("content-encoding")?.trim().toLowerCase();
  if (encoding === undefined || !ENCODINGS.has(encoding)) {
    throw new ApiError(415, "unsupported_encoding", "Content-Encoding must be gzip or br");
  }
  await next();
});

/** The optional X-PiWardrive-Agent-Version and X-PiWardrive-Backlog headers; a malformed one is a 400. */
function agentReport(header: (name: string) => string | undefined): AgentReport {
  const version = parseAgentVersionHeader(header(AGENT_VERSION_HEADER));
  if (!version.ok) throw new ApiError(400, "invalid_header", version.reason);
  const backlog = parseBacklogHeader(header(BACKLOG_HEADER));
  if (!backlog.ok) throw new ApiError(400, "invalid_header", backlog.reason);
  return { agentVersion: version.value, backlog: backlog.value };
}

/**
 * POST /v1/ingest. Order: who (401/403), how often (429), what (415, 413, agent headers 400), then decode (400/413/415), then
 * the batch must be the caller's own (403), then land (202 only after the commit; 503 when the database
 * cannot take it), then enqueue the merge job.
 *
 * Enqueue failures after landing still answer 202: the batch is durable and the reconciler enqueues every
 * landed-but-unmerged batch once Redis is back, whereas a 503 would make the device resend the whole
 * body over a metered link only to be told "duplicate". A duplicate whose first copy is still `landed`
 * is enqueued again (the job id dedupes), which repairs an enqueue lost earlier.
 */
export function ingestRoute(deps: AppDeps) {
  const now = deps.now ?? Date.now;
  const enqueue = async (key: BatchKey, logger: Logger) => {
    try {
      await deps.mergeProducer.enqueue(key);
    } catch (error) {
      logger.warn("merge job not enqueued; the reconciler will pick the batch up", errorFields(error));
    }
  };
  const metrics = deps.metrics;
  // Counts every refusal, whichever step threw it (auth, rate limit, headers, size, decode, store).
  const countRefusals = createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (c.error !== undefined) {
      metrics?.ingestBatches.inc({ outcome: "refused", reason: toApiError(c.error).code });
    }
  });
  return new Hono<AppEnv>().post(
    "/v1/ingest",
    countRefusals,
    requireDevice(deps.db),
    createMiddleware<AppEnv>(async (c, next) => {
      const verdict = await deps.rateLimiter.consume(c.get("device").id);
      if (!verdict.allowed) {
        throw new ApiError(429, "rate_limited", "too many batches from this device; slow down", {
          "Retry-After": String(verdict.retryAfterSeconds),
        });
      }
      await next();
    }),
    requireWireHeaders,

    bodyLimit({
      maxSize: deps.wireLimits.maxCompressedBytes,
      onError: () => {
        throw new ApiError(413, "too_large", `body exceeds ${deps.wireLimits.maxCompressedBytes} bytes`);
      },
    }),
    async (c) => {
      const device = c.get("device");
      const report = agentReport((name) => c.req.header(name));
      const body = new Uint8Array(await c.req.arrayBuffer());
      const encoding = c.req.header("content-encoding")?.trim().toLowerCase();
      const batch = await decodeDeltaBatch(body, encoding, deps.wireLimits);
      if (batch.deviceId !== device.id) {
        throw new ApiError(403, "device_mismatch", "a device may only send its own batches");
      }
      const log = c.get("logger").child({ runId: batch.runId, batchSeq: batch.batchSeq });
      c.set("logger", log);
      const outcome = await landBatch(deps.db, {
        batch,
        payload: body,
        contentEncoding: encoding ?? "gzip",
        receivedAt: now(),
        report,
      });
      if (outcome.status === "duplicate" && outcome.rangeDiffers) {
        log.warn("duplicate batch key with a different seq range", {
          firstSeq: batch.firstSeq,
          lastSeq: batch.lastSeq,
        });
      }
      metrics?.ingestBatches.inc({ outcome: outcome.status, reason: "none" });
      metrics?.ingestSightings.inc({ outcome: outcome.status }, batch.observations.length);
      if (outcome.status === "accepted" || outcome.stored === "landed") await enqueue(outcome.key, log);
      return c.json<IngestResponse>({ status: outcome.status }, 202);
    },
  );
}
