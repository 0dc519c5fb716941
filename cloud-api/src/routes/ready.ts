import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";

const CHECK_TIMEOUT_MS = 2000;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return "ok";
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /ready: `SELECT 1` on the database and PING on Redis; 503 (with both results) when either fails,
 * and 503 `draining` as soon as the process is shutting down, so a load balancer stops sending to it
 * while in-flight requests finish.
 */
export function readyRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get("/ready", async (c) => {
    if (deps.lifecycle?.draining === true) {
      return c.json(
        {
          error: {
            code: "draining",
            message: "shutting down: finishing in-flight requests, not taking new ones",
            requestId: c.get("requestId"),
          },
        },
        503,
      );
    }
    const [db, redis] = await Promise.all([
      check(() => deps.db.execute("SELECT 1")),
      check(() => deps.redis.ping()),
    ]);
    const checks = { db, redis };
    if (db === "ok" && redis === "ok") return c.json({ status: "ready" as const, checks });
    const failing = Object.entries(checks)
      .filter(([, v]) => v !== "ok")
      .map(([k, v]) => `${k} ${v}`);
    return c.json(
      { error: { code: "not_ready", message: failing.join("; "), requestId: c.get("requestId") }, checks },
      503,
    );
  });
}
