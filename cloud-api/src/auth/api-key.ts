import type { Client } from "@libsql/client";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../api-error.js";
import type { AppEnv } from "../app-env.js";
import { findApiKey, type Role, roleAtLeast } from "../services/api-keys.js";
import { credentialFrom } from "./secret.js";

/**
 * Requires an API key of at least `minimum` role, as `Authorization: Bearer <key>` or, for browsers
 * (bull-board), `Authorization: Basic base64(<any user>:<key>)`. Sets `apiKey`.
 */
export function requireRole(db: Client, minimum: Role) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const challenge = { "WWW-Authenticate": 'Basic realm="piwardrive", charset="UTF-8"' };
    const secret = credentialFrom(c.req.header("authorization"), true);
    if (secret === undefined) throw new ApiError(401, "unauthorized", "an API key is required", challenge);
    const key = await findApiKey(db, secret);
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
