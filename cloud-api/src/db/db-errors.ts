import { LibsqlError } from "@libsql/client";

/** Codes that mean "the store cannot take this right now", not "this request is wrong". */
const UNAVAILABLE = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_CANTOPEN",
  "SQLITE_IOERR",
  "SQLITE_FULL",
  "SQLITE_READONLY",
  "SQLITE_PROTOCOL",
  "CLIENT_CLOSED",
  "SERVER_ERROR",
  "HRANA_WEBSOCKET_ERROR",
  "HRANA_CLOSED_ERROR",
  "HRANA_PROTO_ERROR",
  "TRANSACTION_ACTIVE",
]);

/** Codes that mean the data itself cannot be stored; retrying the same data will fail the same way. */
const DATA_ERRORS = new Set(["SQLITE_CONSTRAINT", "SQLITE_MISMATCH", "SQLITE_TOOBIG", "SQLITE_RANGE"]);

function codeOf(error: unknown): string | undefined {
  if (!(error instanceof LibsqlError)) return undefined;
  return error.code;
}

export function isStoreUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && UNAVAILABLE.has(code)) return true;
  // remote libSQL: the fetch itself failed (server down, DNS, reset)
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

export function isDataError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && [...DATA_ERRORS].some((c) => code.startsWith(c));
}
