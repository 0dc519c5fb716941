import type { Client } from "@libsql/client";
import { errorFields, type Logger } from "../logger.js";
import { pruneNetworkHistory } from "../services/network-history.js";

export interface HistoryPruner {
  /** Prunes now (also what the timer runs); resolves with the rows deleted. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a pass in flight. */
  stop(): Promise<void>;
}

/** Prunes network_history at once and then every `everyMs`; passes never overlap, failures are logged. */
export function startHistoryPruner(input: {
  db: Client;
  everyMs: number;
  logger: Logger;
  now?: () => number;
}): HistoryPruner {
  const now = input.now ?? Date.now;
  let running: Promise<number> | undefined;
  const runOnce = () => {
    running ??= pruneNetworkHistory(input.db, now()).finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    runOnce().then(
      (deleted) => {
        if (deleted > 0) input.logger.info("pruned network history", { deleted });
      },
      (error: unknown) => input.logger.warn("network history pruning failed", errorFields(error)),
    );
  };
  tick();
  const timer = setInterval(tick, input.everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
