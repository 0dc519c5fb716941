import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import { type ApiConfig, openApiDeps } from "./api-deps.js";
import { createApp } from "./app.js";
import type { AppDeps, AppEnv } from "./app-env.js";
import type { Logger } from "./logger.js";
import { type MetricsServer, startMetricsServer } from "./metrics/metrics-server.js";

export interface RunningServer {
  server: ServerType;
  port: number;
  url: string;
  /** Stops accepting connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/** Serves a Hono app on a real port (0 picks a free one). */
export function startServer(input: {
  app: Hono<AppEnv>;
  port: number;
  hostname?: string;
}): Promise<RunningServer> {
  const hostname = input.hostname ?? "127.0.0.1";
  return new Promise((resolvePromise, reject) => {
    const server = serve({ fetch: input.app.fetch, port: input.port, hostname }, (info: AddressInfo) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolvePromise({
        server,
        port: info.port,
        url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            // Keep-alive sockets go idle once their in-flight request is answered: close them then, not
            // after keepAliveTimeout, so close() resolves as soon as the last request is done.
            const closeIdle = () => {
              if ("closeIdleConnections" in server) server.closeIdleConnections();
            };
            const timer = setInterval(closeIdle, 50);
            server.close(() => {
              clearInterval(timer);
              done();
            });
            closeIdle();
          }),
      });
    });
    server.once("error", reject);
  });
}

export interface RunningApi extends RunningServer {
  deps: AppDeps;
  /**
   * Graceful stop: /ready turns 503 at once, new requests are still served for `drainMs` (the time a load
   * balancer needs to notice), then the listener stops accepting, in-flight requests finish and the deps
   * close.
   */
  shutdown(drainMs: number): Promise<void>;
  /** The unauthenticated 127.0.0.1 listener, when a metrics port was given. */
  metricsServer: MetricsServer | undefined;
}

/** The whole API process from a config: deps, app and server. `close()` stops the server, then the deps. */
export async function startApiServer(input: {
  config: ApiConfig & { port: number; host: string; metricsPort?: number | undefined };
  logger: Logger;
}): Promise<RunningApi> {
  const opened = await openApiDeps(input.config, input.logger);
  let metricsServer: MetricsServer | undefined;
  try {
    const registry = opened.deps.metrics?.registry;
    if (registry !== undefined && input.config.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(registry, input.config.metricsPort);
    }
    const running = await startServer({
      app: createApp(opened.deps),
      port: input.config.port,
      hostname: input.config.host,
    });
    // load tests started through the API may target only this origin
    if (opened.deps.loadtests !== undefined) opened.deps.loadtests.selfOrigin = running.url;
    const close = async () => {
      await running.close();
      await metricsServer?.close();
      await opened.close();
    };
    return {
      ...running,
      deps: opened.deps,
      metricsServer,
      close,
      async shutdown(drainMs) {
        if (opened.deps.lifecycle !== undefined) opened.deps.lifecycle.draining = true;
        if (drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
        await close();
      },
    };
  } catch (error) {
    await metricsServer?.close();
    await opened.close();
    throw error;
  }
}
