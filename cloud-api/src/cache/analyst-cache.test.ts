import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addWatch } from "../alerts/watchlist.js";
import { createApp } from "../app.js";
import type { AppDeps } from "../app-env.js";
import { createApiMetrics } from "../metrics/api-metrics.js";
import { createApiKey } from "../services/api-keys.js";
import { manySightings, sighting } from "../test-support/batches.js";
import { expectError } from "../test-support/expect-error.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { parsePrometheus } from "../test-support/prometheus.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { analystCacheKey, etagMatches } from "./analyst-response-cache.js";

let cloud: TestCloud;
let analyst: string;
let operator: string;
let batchSeq = 0;

beforeAll(async () => {
  cloud = await openTestCloud();
  analyst = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
  operator = `Bearer ${(await createApiKey(cloud.db, { role: "operator" })).key}`;
  await merge(10);
});
afterAll(() => cloud.cleanup());

/** Merges `n` sightings over `n` new transmitters (one more merge generation). */
async function merge(n: number): Promise<void> {
  const from = 1 + batchSeq * 1000;
  await landAndMerge(cloud.db, { deviceId: "dev-a", batchSeq }, manySightings(n, from, 1_000_000));
  batchSeq += 1;
}

function appWith(analystCache: AppDeps["analystCache"]) {
  const metrics = createApiMetrics();
  const app = createApp({ ...cloud.deps, metrics, analystCache });
  const get = (path: string, authorization = analyst, headers: Record<string, string> = {}) =>
    app.request(path, { headers: { authorization, ...headers } });
  return { app, metrics, get };
}

describe("analyst cache: ETag, 304 and X-Cache", () => {
  it("tags a 200, answers the repeat from memory and If-None-Match with a bodiless 304", async () => {
    const { get } = appWith({ generationMaxAgeMs: 0 });
    const first = await get("/v1/networks?limit=5");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("miss");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"g\d+-[\w-]{22}"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    const body = await first.text();
    expect(JSON.parse(body).networks).toHaveLength(5);

    const again = await get("/v1/networks?limit=5");
    expect(again.headers.get("x-cache")).toBe("hit");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await again.text()).toBe(body);

    const revalidated = await get("/v1/networks?limit=5", analyst, { "if-none-match": `W/"x", ${etag}` });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("etag")).toBe(etag);
    expect(await revalidated.text()).toBe("");
  });

  it("tags every analyst GET (detail, observations) and no error", async () => {
    const { get } = appWith({ generationMaxAgeMs: 0 });
    const { networks } = (await (await get("/v1/networks?limit=1")).json()) as {
      networks: { mac: string }[];
    };
    const mac = networks[0]?.mac ?? "";
    for (const path of [`/v1/networks/${mac}`, `/v1/networks/${mac}/observations`, "/v1/observations"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const etag = res.headers.get("etag") ?? "";
      expect(etag, path).not.toBe("");
      expect((await get(path, analyst, { "if-none-match": etag })).status, path).toBe(304);
    }
    const unknown = await get("/v1/networks/02:ff:ff:ff:ff:ff");
    expect(unknown.headers.get("etag")).toBeNull();
    await expectError(unknown, 404, "not_found");
    const bad = await get("/v1/networks?limit=0");
    expect(bad.headers.get("etag")).toBeNull();
    await expectError(bad, 400, "invalid_argument");
  });

  it("a merge gives a new ETag and a fresh body; the old tag is no longer 304", async () => {
    const { get } = appWith({ generationMaxAgeMs: 0 });
    const before = await get("/v1/networks?limit=1000");
    const etag = before.headers.get("etag") ?? "";
    const count = ((await before.json()) as { networks: unknown[] }).networks.length;
    await merge(3);
    const after = await get("/v1/networks?limit=1000", analyst, { "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("x-cache")).toBe("miss");
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(((await after.json()) as { networks: unknown[] }).networks).toHaveLength(count + 3);
  });

  it("with a generation max age, a merge shows once that age has passed", async () => {
    const { get } = appWith({ generationMaxAgeMs: 300 });
    const before = await get("/v1/networks?limit=1000");
    const etag = before.headers.get("etag") ?? "";
    const count = ((await before.json()) as { networks: unknown[] }).networks.length;
    await merge(2);
    await sleep(400);
    const after = await get("/v1/networks?limit=1000", analyst, { "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(((await after.json()) as { networks: unknown[] }).networks).toHaveLength(count + 2);
  });

  it("different roles and different queries never share an entry; the query's order does not matter", async () => {
    const { get } = appWith({ generationMaxAgeMs: 0 });
    const a = await get("/v1/networks?limit=2&sort=-rssi");
    expect(a.headers.get("x-cache")).toBe("miss");
    const o = await get("/v1/networks?limit=2&sort=-rssi", operator);
    expect(o.headers.get("x-cache")).toBe("miss");
    expect(o.headers.get("etag")).not.toBe(a.headers.get("etag"));
    expect(
      (
        await get("/v1/networks?limit=2&sort=-rssi", operator, {
          "if-none-match": a.headers.get("etag") ?? "",
        })
      ).status,
    ).toBe(200);
    const q = await get("/v1/networks?limit=3&sort=-rssi");
    expect(q.headers.get("x-cache")).toBe("miss");
    expect(((await q.json()) as { networks: unknown[] }).networks).toHaveLength(3);
    const reordered = await get("/v1/networks?sort=-rssi&limit=2");
    expect(reordered.headers.get("x-cache")).toBe("hit");
    expect(reordered.headers.get("etag")).toBe(a.headers.get("etag"));
  });
});

describe("analyst cache: what is cached", () => {
  it("an acknowledgement renews the network detail; alerts and the watchlist are never cached", async () => {
    const { app, get } = appWith({ generationMaxAgeMs: 0 });
    const mac = "0a:cc:00:00:00:01";
    await addWatch(cloud.db, { type: "mac", value: mac });
    await landAndMerge(cloud.db, { deviceId: "dev-a", batchSeq: batchSeq++ }, [sighting(900_001, mac)]);
    const detail = await get(`/v1/networks/${mac}`);
    const etag = detail.headers.get("etag") ?? "";
    const { alerts } = (await detail.json()) as { alerts: { id: number; acknowledgedAt: string | null }[] };
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.acknowledgedAt).toBeNull();
    expect((await get(`/v1/networks/${mac}`)).headers.get("x-cache")).toBe("hit");

    const ack = await app.request(`/v1/alerts/${alerts[0]?.id}/ack`, {
      method: "POST",
      headers: { authorization: analyst },
    });
    expect(ack.status).toBe(200);
    const renewed = await get(`/v1/networks/${mac}`, analyst, { "if-none-match": etag });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get("etag")).not.toBe(etag);
    const after = (await renewed.json()) as { alerts: { acknowledgedAt: string | null }[] };
    expect(after.alerts[0]?.acknowledgedAt).not.toBeNull();

    for (const path of ["/v1/alerts", "/v1/watchlist"]) {
      for (let i = 0; i < 2; i += 1) {
        const res = await get(path);
        expect(res.status, path).toBe(200);
        expect(res.headers.get("x-cache"), path).toBeNull();
        expect(res.headers.get("etag"), path).toBeNull();
      }
    }
    await addWatch(cloud.db, { type: "ssid", value: "newly-watched" });
    const list = (await (await get("/v1/watchlist")).json()) as { watchlist: { value: string }[] };
    expect(list.watchlist.map((w) => w.value)).toContain("newly-watched");
  });
});

describe("analyst cache: keys and metrics", () => {
  it("a revoked key stops working within the key TTL", async () => {
    const { get } = appWith({ generationMaxAgeMs: 0, keyTtlMs: 300 });
    const created = await createApiKey(cloud.db, { role: "analyst" });
    const key = `Bearer ${created.key}`;
    expect((await get("/v1/networks?limit=1", key)).status).toBe(200);
    await cloud.db.execute({
      sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?",
      args: [Date.now(), created.id],
    });
    await sleep(400);
    await expectError(await get("/v1/networks?limit=1", key), 401, "unauthorized");
    // A cached answer does not help a revoked key either: the key check runs first.
    await expectError(await get("/v1/networks?limit=1", key, { "if-none-match": "*" }), 401, "unauthorized");
  });

  it("counts hits, misses and 304s per route template, and key checks from memory", async () => {
    const { get, metrics } = appWith({ generationMaxAgeMs: 0 });
    const first = await get("/v1/networks?limit=4");
    await get("/v1/networks?limit=4");
    await get("/v1/networks?limit=4");
    await get("/v1/networks?limit=4", analyst, { "if-none-match": first.headers.get("etag") ?? "" });
    const scrape = parsePrometheus(await metrics.registry.metrics());
    const value = (result: string) =>
      scrape.value("piwardrive_analyst_cache_requests_total", { route: "/v1/networks", result });
    expect(value("miss")).toBe(1);
    expect(value("hit")).toBe(2);
    expect(value("not_modified")).toBe(1);
    expect(scrape.value("piwardrive_api_key_cache_requests_total", { result: "miss" })).toBe(1);
    expect(scrape.value("piwardrive_api_key_cache_requests_total", { result: "hit" })).toBe(3);
  });
});

describe("analyst cache: key and tag helpers", () => {
  it("keys sort the query and keep generation, role and path apart", () => {
    const url = (s: string) => `http://x${s}`;
    expect(analystCacheKey(3, "analyst", url("/v1/networks?b=2&a=1"))).toBe(
      analystCacheKey(3, "analyst", url("/v1/networks?a=1&b=2")),
    );
    const keys = new Set([
      analystCacheKey(3, "analyst", url("/v1/networks?a=1")),
      analystCacheKey(4, "analyst", url("/v1/networks?a=1")),
      analystCacheKey(3, "operator", url("/v1/networks?a=1")),
      analystCacheKey(3, "analyst", url("/v1/observations?a=1")),
      analystCacheKey(3, "analyst", url("/v1/networks?a=2")),
    ]);
    expect(keys.size).toBe(5);
  });

  it("If-None-Match compares weakly and reads lists", () => {
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b" , "a"', '"a"')).toBe(true);
    expect(etagMatches('"b"', '"a"')).toBe(false);
    expect(etagMatches(undefined, '"a"')).toBe(false);
  });
});
