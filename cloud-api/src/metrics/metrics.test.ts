import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { type RunningServer, startServer } from "../server.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { makeBatch, manySightings } from "../test-support/batches.js";
import { parsePrometheus } from "../test-support/prometheus.js";
import { eventually, openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { type MergeWorker, startMergeWorker } from "../workers/merge-worker.js";
import { createApiMetrics } from "./api-metrics.js";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";
import { createPipelineMetrics } from "./pipeline-metrics.js";

let cloud: TestCloud;
let api: RunningServer;
let worker: MergeWorker;
let workerMetrics: MetricsServer;
let operatorKey: string;

beforeEach(async () => {
  cloud = await openTestCloud();
  api = await startServer({ app: createApp({ ...cloud.deps, metrics: createApiMetrics() }), port: 0 });
  const pipeline = createPipelineMetrics({ db: cloud.db, dbPath: cloud.path, queues: () => [worker.queue] });
  worker = await startMergeWorker({
    db: cloud.db,
    connection: cloud.workerRedis,
    location: { prefix: cloud.prefix },
    logger: cloud.logger,
    reconcileEveryMs: 60_000,
    metrics: pipeline,
  });
  workerMetrics = await startMetricsServer(pipeline.registry, 0);
  operatorKey = (await createApiKey(cloud.db, { role: "operator" })).key;
});
afterEach(async () => {
  await workerMetrics.close();
  await worker.close();
  await api.close();
  await cloud.cleanup();
});

async function post(token: string | undefined, body: Uint8Array, type?: string) {
  const headers: Record<string, string> = {
    "content-type": type ?? "application/vnd.piwardrive.delta+json",
    "content-encoding": "gzip",
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  };
  return (await fetch(`${api.url}/v1/ingest`, { method: "POST", headers, body })).status;
}

async function scrapeApi(key = operatorKey) {
  const res = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}

describe("metrics after a real sync over HTTP", () => {
  it("the API counts requests per route template and ingest outcomes by exactly what was sent", async () => {
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const first = await encodeDeltaBatch(makeBatch({ deviceId: device.id, batchSeq: 0 }, manySightings(30)));
    const second = await encodeDeltaBatch(
      makeBatch({ deviceId: device.id, batchSeq: 1 }, manySightings(20, 31)),
    );
    expect(await post(device.token, first.body)).toBe(202);
    expect(await post(device.token, second.body)).toBe(202);
    expect(await post(device.token, first.body)).toBe(202); // a resend: duplicate
    expect(await post(undefined, first.body)).toBe(401);
    expect(await post(device.token, first.body, "text/csv")).toBe(415);

    expect((await scrapeApi("not-a-key")).status).toBe(401);
    const analyst = await createApiKey(cloud.db, { role: "analyst" });
    expect((await scrapeApi(analyst.key)).status).toBe(403);
    const scraped = await scrapeApi();
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(scraped.text);
    expect(m.types.get("http_request_duration_seconds")).toBe("histogram");
    expect(m.types.get("http_requests_total")).toBe("counter");
    expect(m.types.get("piwardrive_ingest_batches_total")).toBe("counter");
    const ingest = { method: "POST", route: "/v1/ingest" };
    expect(m.value("http_requests_total", { ...ingest, status: "202" })).toBe(3);
    expect(m.value("http_requests_total", { ...ingest, status: "401" })).toBe(1);
    expect(m.value("http_requests_total", { ...ingest, status: "415" })).toBe(1);
    expect(m.value("http_request_duration_seconds_count", { ...ingest, status: "202" })).toBe(3);
    expect(m.value("http_request_duration_seconds_bucket", { ...ingest, status: "202", le: "+Inf" })).toBe(3);
    expect(m.value("http_requests_total", { method: "GET", route: "/metrics", status: "401" })).toBe(1);
    expect(m.value("http_requests_total", { method: "GET", route: "/metrics", status: "403" })).toBe(1);
    const batches = (outcome: string, reason: string) =>
      m.value("piwardrive_ingest_batches_total", { outcome, reason });
    expect(batches("accepted", "none")).toBe(2);
    expect(batches("duplicate", "none")).toBe(1);
    expect(batches("refused", "unauthorized")).toBe(1);
    expect(batches("refused", "unsupported_media_type")).toBe(1);
    expect(m.value("piwardrive_ingest_sightings_total", { outcome: "accepted" })).toBe(50);
    expect(m.value("piwardrive_ingest_sightings_total", { outcome: "duplicate" })).toBe(30);
    // prom-client's process defaults, labelled with the process role
    expect(m.value("process_resident_memory_bytes", { role: "api" })).toBeGreaterThan(0);
    expect(m.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
  });

  it("the worker reports merges, lag, queue counts and database sizes on its own port", async () => {
    const device = await createDevice(cloud.db, { name: "pi-1" });
    for (const [batchSeq, rows] of [
      [0, manySightings(30)],
      [1, manySightings(20, 31)],
    ] as const) {
      const encoded = await encodeDeltaBatch(makeBatch({ deviceId: device.id, batchSeq }, rows));
      expect(await post(device.token, encoded.body)).toBe(202);
    }
    const scrape = async () => parsePrometheus(await (await fetch(workerMetrics.url)).text());
    const m = await eventually(async () => {
      const s = await scrape();
      return s.value("piwardrive_merge_batches_total", { outcome: "merged" }) === 2 ? s : undefined;
    });
    expect(m.types.get("piwardrive_merge_duration_seconds")).toBe("histogram");
    expect(m.types.get("piwardrive_merge_lag_seconds")).toBe("histogram");
    expect(m.value("piwardrive_merge_duration_seconds_count", { outcome: "merged" })).toBe(2);
    expect(m.value("piwardrive_merge_lag_seconds_count")).toBe(2);
    expect(m.value("piwardrive_merge_lag_seconds_sum")).toBeGreaterThanOrEqual(0);
    expect(m.value("piwardrive_merge_sightings_total")).toBe(50);
    expect(m.value("piwardrive_reconciler_enqueued_total")).toBe(0);
    expect(m.value("piwardrive_landed_batches", { status: "merged" })).toBe(2);
    expect(m.value("piwardrive_landed_batches", { status: "landed" })).toBe(0);
    const completed = await eventually(async () => {
      const v = (await scrape()).value("piwardrive_queue_jobs", { queue: "{merge}", state: "completed" });
      return v === 2 ? v : undefined;
    });
    expect(completed).toBe(2);
    expect(m.value("piwardrive_queue_jobs", { queue: "{merge}", state: "failed" })).toBe(0);
    expect(m.value("piwardrive_db_bytes", { file: "main" })).toBeGreaterThan(0);
    expect(m.value("piwardrive_db_bytes", { file: "wal" })).toBeGreaterThan(0);
    expect(m.value("process_resident_memory_bytes", { role: "worker" })).toBeGreaterThan(0);
    // the worker's registry is its own: no HTTP series in it
    expect(m.types.has("http_requests_total")).toBe(false);
    expect((await fetch(workerMetrics.url.replace("/metrics", "/other"))).status).toBe(404);
  });

  it("a route label never carries a raw path, MAC or id", async () => {
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const mac = "aa:bb:cc:dd:ee:ff";
    for (const path of [
      `/v1/networks/${mac}`,
      `/v1/devices/${device.id}`,
      "/%3Cprobe-xyzzy%3E",
      "/v1/ingest",
    ]) {
      await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${device.token}` } });
    }
    const text = (await scrapeApi()).text;
    expect(text).not.toContain(mac);
    expect(text).not.toContain(device.id);
    expect(text).not.toMatch(/xyzzy/i);
    const m = parsePrometheus(text);
    const routes = new Set(
      m.samples.filter((s) => s.name === "http_requests_total").map((s) => s.labels.route),
    );
    // a path a route serves is labelled with its template, any other one as `unmatched`
    expect([...routes].sort()).toEqual(["/v1/devices/:id", "/v1/networks/:mac", "unmatched"]);
    expect(m.value("http_requests_total", { method: "GET", route: "/v1/networks/:mac", status: "401" })).toBe(
      1,
    );
    expect(m.value("http_requests_total", { method: "GET", route: "/v1/devices/:id", status: "401" })).toBe(
      1,
    );
    expect(m.value("http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(2);
  });
});
