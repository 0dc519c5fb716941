import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../app-env.js";
import { InvalidArgumentError } from "../errors.js";

/** The JSON body checked against `schema`; a 400 names the field (`field "url": ...`) or says it is not JSON. */
export async function readJsonBody<T>(c: Context<AppEnv>, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new InvalidArgumentError("the body must be a JSON object");
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === "unrecognized_keys" ? issue.keys[0] : issue?.path.join(".");
  if (field === undefined || field === "")
    throw new InvalidArgumentError(`body: ${issue?.message ?? "invalid"}`);
  const why = issue?.code === "unrecognized_keys" ? "unknown field" : (issue?.message ?? "invalid");
  throw new InvalidArgumentError(`field "${field}": ${why}`);
}

/** A positive integer path id (`/v1/alerts/{id}`), or a 400 naming it. */
export function readId(c: Context<AppEnv>, name = "id"): number {
  const text = c.req.param(name) ?? "";
  if (!/^[1-9]\d{0,15}$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new InvalidArgumentError(`parameter "${name}": expected a positive integer`);
  return Number(text);
}
