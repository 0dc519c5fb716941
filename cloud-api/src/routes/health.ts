import { Hono } from "hono";
import type { AppEnv } from "../app-env.js";

/** GET /health: liveness only; a process that answers is alive. */
export function healthRoute() {
  return new Hono<AppEnv>().get("/health", (c) => c.json({ status: "ok" as const }));
}
