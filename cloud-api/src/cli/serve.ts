import { migrateCloud } from "@piwardrive/migrations";
import { Command } from "commander";
import { loggableUrl } from "../logger.js";
import { configFrom, parseIntFlag, withDb, withDbOption, withRedisOptions } from "./options.js";
import { onShutdown } from "./shutdown.js";

interface ServeFlags {
  port?: number;
  host?: string;
  db?: string;
  redis?: string;
  queuePrefix?: string;
  migrate?: boolean;
  metricsPort?: number;
}

export function serveCommand(): Command {
  return withRedisOptions(withDbOption(new Command("serve")))
    .description("run the HTTP API (ingest, stats, health, bull-board)")
    .option("--port <port>", "port (env PORT, default 8080; 0 picks a free one)", parseIntFlag)
    .option("--host <host>", "interface to listen on (env HOST, default 0.0.0.0)")
    .option("--migrate", "apply pending migrations before serving")
    .option(
      "--metrics-port <port>",
      "also serve GET /metrics without a key on 127.0.0.1:<port> (env PIWARDRIVE_METRICS_PORT)",
      parseIntFlag,
    )
    .action(async (flags: ServeFlags) => {
      const base = configFrom(flags);
      const config = {
        ...base,
        port: flags.port ?? base.port,
        host: flags.host ?? base.host,
        metricsPort: flags.metricsPort ?? base.metricsPort,
      };
      const { jsonLogger } = await import("../json-logger.js");
      const logger = jsonLogger({ level: config.logLevel });
      if (flags.migrate) await withDb(config, (db) => migrateCloud(db));
      // loaded here so admin commands (devices, keys) start without Hono, BullMQ and bull-board
      const { startApiServer } = await import("../server.js");
      const api = await startApiServer({ config, logger });
      const { startSystemSampler } = await import("../reports/system-sampler.js");
      const sampler = startSystemSampler({
        db: api.deps.db,
        role: "api",
        logger,
        routes: api.deps.metrics?.routeWindow,
      });
      onShutdown(
        logger,
        async () => {
          sampler.stop();
          await api.shutdown(config.shutdownDrainMs);
        },
        config.shutdownGraceMs,
      );
      // Ready only once Ctrl-C / SIGTERM stop it cleanly (a signal before this line would kill it outright).
      logger.info("api listening", {
        url: api.url,
        port: api.port,
        db: loggableUrl(config.db),
        metricsUrl: api.metricsServer?.url ?? null,
      });
    });
}
