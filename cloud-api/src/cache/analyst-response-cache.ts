import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { LRUCache } from "lru-cache";
import type { AppEnv } from "../app-env.js";
import type { ApiMetrics } from "../metrics/api-metrics.js";
import { routeLabel } from "../metrics/http-metrics.js";
import type { MergeGenerationClock } from "./merge-generation-clock.js";

/*
 * The analyst GET cache (docs/decisions/0028-analyst-response-cache.md). Every answer is a function of
 * (merge generation, caller's role, path, query): that tuple is both the ETag and the LRU key, so a merge
 * that inserted rows changes every tag and every key at once, and nothing has to be found and dropped.
 * Runs after the role check and the rate limit; only 200s are tagged and kept.
 */

export interface AnalystCacheOptions {
  /** How often the merge generation is re-read (0: every request): the staleness bound after a merge. */
  generationMaxAgeMs: number;
  /** How long a verified API key is trusted without a database read: the revocation bound. */
  keyTtlMs: number;
  /** Answers kept at most, and their total size in bytes (bodies and keys). */
  maxEntries: number;
  maxSize: number;
  /**
   * How long an entry outlives its last hit: bounds memory held by generations nobody asks for any more
   * (a hit restarts it, so an answer asked for all along never drops out between two askings).
   */
  ttlMs: number;
}

export const DEFAULT_ANALYST_CACHE: AnalystCacheOptions = {
  generationMaxAgeMs: 250,
  keyTtlMs: 5000,
  maxEntries: 5000,
  maxSize: 64 * 1024 * 1024,
  ttlMs: 60_000,
};

interface CachedAnswer {
  /** Encoded once: a hit writes these bytes as they are, with these headers (ETag included). */
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/**
 * The cache key: generation, role, path and the query's `name=value` pairs sorted (as sent, so the same
 * multiset of pairs in any order is one key and different ones never meet). `url` is the request URL.
 */
export function analystCacheKey(generation: number, role: string, url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const q = url.indexOf("?", start);
  const path = q < 0 ? url.slice(start) : url.slice(start, q);
  const pairs =
    q < 0
      ? ""
      : url
          .slice(q + 1)
          .split("&")
          .filter((p) => p !== "")
          .sort()
          .join("&");
  return `${generation}\n${role}\n${path}\n${pairs}`;
}

/** A strong tag: the generation in clear (handy when debugging), then a digest of the whole key. */
export function analystEtag(generation: number, key: string): string {
  return `"g${generation}-${createHash("sha256").update(key).digest("base64url").slice(0, 22)}"`;
}

/** If-None-Match holds this tag (weak comparison, RFC 9110 13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return (tag.startsWith("W/") ? tag.slice(2) : tag) === etag;
  });
}

export function analystResponseCache(input: {
  clock: MergeGenerationClock;
  options: AnalystCacheOptions;
  metrics?: ApiMetrics;
}) {
  const { clock, options, metrics } = input;
  const answers = new LRUCache<string, CachedAnswer>({
    max: options.maxEntries,
    maxSize: options.maxSize,
    maxEntrySize: Math.max(1, Math.floor(options.maxSize / 8)),
    sizeCalculation: (answer, key) => answer.body.byteLength + key.length,
    ttl: options.ttlMs,
    updateAgeOnGet: true,
  });
  const headers = (etag: string, xCache: "hit" | "miss", contentType?: string): Record<string, string> => ({
    etag,
    "cache-control": "private, no-cache",
    vary: "authorization",
    "x-cache": xCache,
    ...(contentType === undefined ? {} : { "content-type": contentType }),
  });
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    const generation = await clock.current();
    const key = analystCacheKey(generation, c.get("apiKey").role, c.req.url);
    const count = (result: "hit" | "miss" | "not_modified") => {
      if (metrics === undefined) return;
      const route = routeLabel(matchedRoutes(c));
      metrics.analystCache.inc(`${route} ${result}`, { route, result });
    };
    const cached = answers.get(key);
    // The tag is a function of the key: a hit reuses the one stored with its answer.
    const etag = cached?.headers.etag ?? analystEtag(generation, key);
    if (etagMatches(c.req.header("if-none-match"), etag)) {
      count("not_modified");
      return c.body(null, 304, headers(etag, "hit"));
    }
    if (cached !== undefined) {
      count("hit");
      return c.body(cached.body, 200, cached.headers);
    }
    count("miss");
    await next();
    if (c.res.status !== 200) return;
    const body = new Uint8Array(await c.res.arrayBuffer());
    const contentType = c.res.headers.get("content-type") ?? "application/json";
    answers.set(key, { body, headers: headers(etag, "hit", contentType) });
    c.res = new Response(body, { status: 200, headers: headers(etag, "miss", contentType) });
  });
}
