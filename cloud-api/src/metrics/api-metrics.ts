import { Counter, Histogram, type Registry } from "prom-client";
import { createRegistry } from "./registry.js";
import { RouteWindow } from "./route-window.js";
import { TalliedCounter } from "./tallied-counter.js";

/** What the API process records (RED per route template, plus what ingest did with each batch). */
export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  httpRequests: TalliedCounter<"method" | "route" | "status">;
  /** outcome accepted | duplicate | refused; reason the error code when refused, else "none". */
  ingestBatches: Counter<"outcome" | "reason">;
  /** Sightings in batches that were accepted or were duplicates (refused bodies are not decoded). */
  ingestSightings: Counter<"outcome">;
  /** Per-route figures of the current sampling interval (drained into route_samples by the sampler). */
  routeWindow: RouteWindow;
  /** Statements slower than PIWARDRIVE_SLOW_STATEMENT_MS on this process's database client. */
  slowStatements: Counter;
  /** Analyst GETs by route template and how the cache answered: hit, miss, not_modified (304). */
  analystCache: TalliedCounter<"route" | "result">;
  /** API key checks on the analyst routes answered from memory (hit) or the database (miss). */
  apiKeyCache: TalliedCounter<"result">;
}

export function createApiMetrics(registry: Registry = createRegistry("api")): ApiMetrics {
  const labelNames = ["method", "route", "status"] as const;
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration by method, route template and status",
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpRequests: new TalliedCounter({
      name: "http_requests_total",
      help: "HTTP requests by method, route template and status",
      labelNames,
      registers: [registry],
    }),
    ingestBatches: new Counter({
      name: "piwardrive_ingest_batches_total",
      help: "Batches posted to /v1/ingest by outcome (accepted, duplicate, refused) and refusal reason",
      labelNames: ["outcome", "reason"] as const,
      registers: [registry],
    }),
    ingestSightings: new Counter({
      name: "piwardrive_ingest_sightings_total",
      help: "Sightings in batches posted to /v1/ingest by outcome (accepted, duplicate)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    routeWindow: new RouteWindow(),
    slowStatements: new Counter({
      name: "piwardrive_db_slow_statements_total",
      help: "Database statements that ran longer than the slow-statement threshold",
      registers: [registry],
    }),
    analystCache: new TalliedCounter({
      name: "piwardrive_analyst_cache_requests_total",
      help: "Analyst GETs by route template and cache result (hit, miss, not_modified)",
      labelNames: ["route", "result"] as const,
      registers: [registry],
    }),
    apiKeyCache: new TalliedCounter({
      name: "piwardrive_api_key_cache_requests_total",
      help: "API key checks on the analyst routes answered from memory (hit) or the database (miss)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
  };
}
