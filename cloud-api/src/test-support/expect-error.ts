import type { Client } from "@libsql/client";
import { expect } from "vitest";

/** Asserts the one error shape `{ error: { code, message, requestId } }`, with the request id echoed. */
export async function expectError(res: Response, status: number, code: string): Promise<{ message: string }> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  expect(Object.keys(body)).toContain("error");
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  expect(body.error.requestId.length).toBeGreaterThan(0);
  return body.error;
}

export async function countRows(db: Client, table: string): Promise<number> {
  return Number((await db.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
}
