import { AGENT_VERSION_HEADER, BACKLOG_HEADER, type EncodedBatch } from "@piwardrive/shared-schema/wire";
import { AGENT_VERSION } from "../agent-version.js";
import { parseRetryAfter } from "./backoff.js";

/** What one POST /v1/ingest came to, from the outbox's point of view. */
export type UploadOutcome =
  /** 2xx: the cloud holds the batch durably (accepted now, or already before: duplicate). */
  | { kind: "acked"; status: number; duplicate: boolean }
  /** Worth retrying later: 408, 429, 5xx, a network error or a timeout. */
  | { kind: "retry"; status: number | null; retryAfterMs: number | null; reason: string }
  /** Any other 4xx (bad token, malformed batch, ...): resending the same batch cannot succeed. */
  | { kind: "refused"; status: number; reason: string };

export interface UploadTarget {
  cloudUrl: string;
  token: string;
  timeoutMs: number;
  /** Sent as X-PiWardrive-Agent-Version (default: this package's version). */
  agentVersion?: string;
}

const RETRYABLE_4XX = new Set([408, 429]);

export async function uploadBatch(
  target: UploadTarget,
  encoded: Pick<EncodedBatch, "body" | "contentEncoding" | "contentType">,
  now: () => number = Date.now,
  /** Sightings still to send after this batch (X-PiWardrive-Backlog), when known. */
  backlog?: number,
): Promise<UploadOutcome> {
  // The timeout covers the whole exchange, body included, and its timer is a referenced one, unlike
  // AbortSignal.timeout's. Under the fault-proxy e2e test's dropped and cut connections, `sync --once`
  // sometimes exited mid-drain with code 13 (an unsettled top-level await: a pending request and nothing
  // left to keep the process alive but that unreferenced timer); with this timer it has not since.
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new DOMException("upload timed out", "TimeoutError")),
    target.timeoutMs,
  );
  let response: Response;
  let text: string;
  try {
    try {
      response = await fetch(ingestUrl(target.cloudUrl), {
        method: "POST",
        headers: {
          authorization: `Bearer ${target.token}`,
          "content-type": encoded.contentType,
          "content-encoding": encoded.contentEncoding,
          [AGENT_VERSION_HEADER]: target.agentVersion ?? AGENT_VERSION,
          ...(backlog === undefined ? {} : { [BACKLOG_HEADER]: String(Math.max(0, Math.floor(backlog))) }),
        },
        body: encoded.body,
        signal: abort.signal,
      });
    } catch (error) {
      return { kind: "retry", status: null, retryAfterMs: null, reason: networkReason(error) };
    }
    // Read the body in every case: it frees the connection for keep-alive and carries the reason.
    text = await response.text().catch(() => "");
  } finally {
    clearTimeout(timer);
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    return { kind: "acked", status, duplicate: bodyField(text, "status") === "duplicate" };
  }
  const reason = `HTTP ${status}${describeError(text)}`;
  if (status >= 500 || RETRYABLE_4XX.has(status)) {
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now());
    return { kind: "retry", status, retryAfterMs, reason };
  }
  return { kind: "refused", status, reason };
}

export function ingestUrl(cloudUrl: string): string {
  return `${cloudUrl.replace(/\/+$/, "")}/v1/ingest`;
}

function networkReason(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "request timed out";
    const cause = (error as Error & { cause?: unknown }).cause;
    const detail =
      cause instanceof Error ? `: ${(cause as Error & { code?: string }).code ?? cause.message}` : "";
    return `network error: ${error.message}${detail}`;
  }
  return `network error: ${String(error)}`;
}

function bodyField(text: string, field: string): unknown {
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === "object" && json !== null ? (json as Record<string, unknown>)[field] : undefined;
  } catch {
    return undefined;
  }
}

/** The API's error shape is `{ error: { code, message } }`; anything else is shown shortened. */
function describeError(text: string): string {
  const error = bodyField(text, "error") as { code?: unknown; message?: unknown } | undefined;
  if (error && typeof error === "object")
    return `: ${String(error.code ?? "")} ${String(error.message ?? "")}`.trimEnd();
  const flat = text.replace(/\s+/g, " ").trim();
  return flat === "" ? "" : `: ${flat.slice(0, 200)}`;
}
