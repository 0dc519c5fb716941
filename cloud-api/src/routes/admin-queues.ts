import type { Queue } from "bullmq";
import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireRole } from "../auth/api-key.js";

export const BOARD_PATH = "/admin/queues";

/**
 * bull-board at /admin/queues for operators and admins. Browsers send the key as the password of HTTP
 * Basic auth (any user name); scripts may use a Bearer header. bull-board (its API, its UI's static
 * routes, its BullMQ adapter) is loaded on the first request that passed the guard, not at start-up: the
 * board is for the odd operator visit, and loading it made every API process ~10 MB larger (its live heap
 * after start-up, which V8 then lets grow about fourfold before a full collection).
 */
export function adminQueuesRoute(deps: AppDeps, queues: Queue[]) {
  const guard = requireRole(deps.db, "operator");
  let board: Promise<Hono> | undefined;
  const serveBoard = async (c: { req: { raw: Request }; env: unknown }) => {
    board ??= loadBoard(queues).catch((error: unknown) => {
      board = undefined; // try again on the next request
      throw error;
    });
    return (await board).fetch(c.req.raw, c.env);
  };
  return new Hono<AppEnv>()
    .use(BOARD_PATH, guard)
    .use(`${BOARD_PATH}/*`, guard)
    .all(BOARD_PATH, serveBoard)
    .all(`${BOARD_PATH}/*`, serveBoard);
}

async function loadBoard(queues: Queue[]): Promise<Hono> {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { serveStatic }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/hono"),
    import("@hono/node-server/serve-static"),
  ]);
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const app = new Hono().route(BOARD_PATH, serverAdapter.registerPlugin());
  // Errors go to the API's own error handler, as when the board was mounted directly.
  app.onError((error) => {
    throw error;
  });
  return app;
}
