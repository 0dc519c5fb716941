import { LatencyHistogram } from "../loadtest/latency-histogram.js";

export interface RouteInterval {
  method: string;
  route: string;
  requests: number;
  serverErrors: number;
  latency: LatencyHistogram;
}

/**
 * What the API answered per (method, route template) since the last `drain()`: the system sampler drains
 * it into route_samples every interval, so the performance report has request rate and exact latency
 * percentiles per route over any window. Keys are route templates (bounded), never raw paths.
 */
export class RouteWindow {
  #routes = new Map<string, RouteInterval>();

  record(method: string, route: string, status: number, ms: number): void {
    const key = `${method} ${route}`;
    let entry = this.#routes.get(key);
    if (entry === undefined) {
      entry = { method, route, requests: 0, serverErrors: 0, latency: new LatencyHistogram() };
      this.#routes.set(key, entry);
    }
    entry.requests += 1;
    if (status >= 500) entry.serverErrors += 1;
    entry.latency.recordMs(ms);
  }

  /** The interval's figures; the window starts again empty. */
  drain(): RouteInterval[] {
    const out = [...this.#routes.values()];
    this.#routes = new Map();
    return out;
  }
}
