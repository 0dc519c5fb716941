import type { Context } from "hono";
import type { z } from "zod";
import { invalid, type RawParams } from "../../analyst/query-params.js";
import type { AppEnv } from "../../app-env.js";

/** The query as one value per name, checked against the route's schema; a repeated or unknown name is a 400. */
export function readQuery(c: Context<AppEnv>, schema: z.ZodType): RawParams {
  const all = c.req.queries();
  const params: RawParams = {};
  for (const [name, values] of Object.entries(all)) {
    if (values.length > 1) throw invalid(name, "given more than once");
    params[name] = values[0];
  }
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.code === "unrecognized_keys" ? issue.keys[0] : issue?.path[0];
    throw invalid(String(name ?? "query"), "unknown parameter");
  }
  return params;
}

/** The content type of an answer sent as bytes (what c.json sets). */
export const JSON_TYPE = { "content-type": "application/json" } as const;
