import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * One registry per process role (API, worker), never prom-client's global one: tests run an API and a
 * worker in one process, and each must expose only its own series. Process defaults (event-loop lag,
 * heap, GC, RSS, CPU) come from prom-client and are read at scrape time.
 */
export function createRegistry(role: "api" | "worker"): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry });
  return registry;
}
