import { createHash } from "node:crypto";
import type { z } from "zod";
import { invalid } from "./query-params.js";

/*
 * Opaque page cursors: base64url JSON, validated with a zod schema on the way back in. A cursor also
 * carries a digest of the query it belongs to, so reusing it with other filters is a 400, not a page of
 * something else.
 */

export function encodeCursor(payload: object): string {
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

export function decodeCursor<T>(value: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2000}$/.test(value)) throw new Error("not base64url");
    json = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw invalid("cursor", "not a cursor this API issued");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalid("cursor", "not a cursor this API issued");
  return parsed.data;
}

/** A short digest of the filters a cursor was issued for. */
export function queryDigest(filters: object): string {
  return createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 16);
}
