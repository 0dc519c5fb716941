import type { Client } from "@libsql/client";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../api-error.js";
import type { AppEnv } from "../app-env.js";
import { findDeviceByToken } from "../services/devices.js";
import { credentialFrom } from "./secret.js";

/** `Authorization: Bearer <device token>`: missing or unknown -> 401, revoked -> 403; sets `device`. */
export function requireDevice(db: Client) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = credentialFrom(c.req.header("authorization"), false);
    if (token === undefined) throw new ApiError(401, "unauthorized", "a device bearer token is required");
    const device = await findDeviceByToken(db, token);
    if (device === undefined) throw new ApiError(401, "unauthorized", "unknown device token");
    if (device.revokedAt !== null) throw new ApiError(403, "device_revoked", "this device has been revoked");
    c.set("device", device);
    c.set("logger", c.get("logger").child({ deviceId: device.id }));
    await next();
  });
}
