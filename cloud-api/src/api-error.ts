import { WireError, type WireErrorCode } from "@piwardrive/shared-schema/wire";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isStoreUnavailable } from "./db/db-errors.js";
import { DomainError, type DomainErrorCode } from "./errors.js";

/** An error on its way out as `{ error: { code, message, requestId } }` with a status and headers. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/** Seconds a client should wait before retrying after a 503 (store or queue briefly unavailable). */
export const RETRY_AFTER_SECONDS = 5;

const WIRE_STATUS: Record<WireErrorCode, ContentfulStatusCode> = {
  unsupported_encoding: 415,
  too_large: 413,
  bad_compression: 400,
  invalid_json: 400,
  unsupported_version: 400,
  invalid_batch: 400,
};

const DOMAIN_STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
  store_unavailable: 503,
  queue_unavailable: 503,
  not_found: 404,
  poison_batch: 422,
  invalid_argument: 400,
  cursor_expired: 400,
};

/** Maps anything thrown in a handler to the error that leaves; unknown errors become a bare 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof WireError) return new ApiError(WIRE_STATUS[error.code], error.code, error.message);
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.code];
    const headers: Record<string, string> =
      status === 503 ? { "Retry-After": String(RETRY_AFTER_SECONDS) } : {};
    return new ApiError(status, error.code, error.message, headers);
  }
  if (isStoreUnavailable(error)) {
    return new ApiError(503, "store_unavailable", "the database is busy or unavailable; retry later", {
      "Retry-After": String(RETRY_AFTER_SECONDS),
    });
  }
  if (error instanceof HTTPException) {
    return new ApiError(error.status as ContentfulStatusCode, `http_${error.status}`, error.message);
  }
  return new ApiError(500, "internal", "internal error");
}
