import { serve } from "@hono/node-server";
import { Hono } from "hono";

/*
 * The load-test benchmark's target: a Hono hello-world in its own process (started by loadtest.ts), so the
 * generator and the server never share an event loop. Prints {"port":N} once listening; SIGTERM stops it.
 */
const app = new Hono().get("/", (c) => c.text("Hello, world!"));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
