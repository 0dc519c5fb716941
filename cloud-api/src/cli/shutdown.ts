import { errorFields, type Logger } from "../logger.js";

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed or took longer than
 * `graceMs`, the bound an orchestrator's kill timeout should exceed). A second signal exits 1 at once.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 25_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    const started = performance.now();
    logger.info("shutting down", { signal, graceMs });
    const timer = setTimeout(() => {
      logger.error("shutdown took too long; exiting", { graceMs });
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => {
        logger.info("shutdown complete", { durationMs: Math.round(performance.now() - started) });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error("shutdown failed", errorFields(error));
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
