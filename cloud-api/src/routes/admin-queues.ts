import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Queue } from "bullmq";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireRole } from "../auth/api-key.js";

export const BOARD_PATH = "/admin/queues";

/**
 * bull-board at /admin/queues for operators and admins. Browsers send the key as the password of HTTP
 * Basic auth (any user name); scripts may use a Bearer header.
 */
export function adminQueuesRoute(deps: AppDeps, queues: Queue[]) {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
  });
  const guard = requireRole(deps.db, "operator");
  return new Hono<AppEnv>()
    .use(BOARD_PATH, guard)
    .use(`${BOARD_PATH}/*`, guard)
    .route(BOARD_PATH, serverAdapter.registerPlugin());
}
