import type { Client } from "@libsql/client";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../api-error.js";
import type { AppEnv } from "../app-env.js";
import { type ApiKey, findApiKey, type Role, roleAtLeast } from "../services/api-keys.js";
import { credentialFrom } from "./secret.js";

/**
 * Requires an API key of at least `minimum` role, as `Authorization: Bearer <key>` or, for browsers
 * (bull-board), `Authorization: Basic base64(<any user>:<key>)`. Sets `apiKey`. `lookup` defaults to a
 * database read per request; the analyst routes pass a short-lived cache (auth/api-key-cache.ts).
 */
export function requireRole(
  db: Client,
  minimum: Role,
  lookup: (secret: string) => Promise<ApiKey | undefined> = (secret) => findApiKey(db, secret),
) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const challenge = { "WWW-Authenticate": 'Basic realm="piwardrive", charset="UTF-8"' };
    const secret = credentialFrom(c.req.header("authorization"), true);
    if (secret === undefined) throw new ApiError(401, "unauthorized", "an API key is required", challenge);
    const key = await lookup(secret);
    if (key === undefined || key.revokedAt !== null) {
      throw new ApiError(401, "unauthorized", "unknown or revoked API key", challenge);
    }
    if (!roleAtLeast(key.role, minimum)) {
      throw new ApiError(403, "forbidden", `this needs the ${minimum} role or higher`);
    }
    c.set("apiKey", key);
    c.set("logger", c.get("logger").child({ apiKeyId: key.id }));
    await next();
  });
}
