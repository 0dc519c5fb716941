import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "parse5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { saveRun } from "../loadtest/baseline-store.js";
import { createApiMetrics } from "../metrics/api-metrics.js";
import { closeRedis, createWorkerRedis } from "../queues/redis.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { makeBatch, postBatch, sighting, T0 } from "../test-support/batches.js";
import { eventually, openTestCloud, REDIS_URL, type TestCloud } from "../test-support/test-cloud.js";
import { startMergeWorker } from "../workers/merge-worker.js";
import { startSystemSampler } from "./system-sampler.js";

const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");
const HOSTILE_SSID = `<img src=x onerror=alert(1)>"'&</title><style>@import url(https://evil.example/x.css)</style>`;
const HOSTILE_NAME = `<script src="https://evil.example/x.js"></script>`;
let cloud: TestCloud;
let operatorKey: string;
const since = String(T0 - 86_400_000);
/** Health samples are kept for days, not years: they are recent, unlike the drive's fixed T0. */
const HEALTH_T0 = Date.now() - 3_600_000;
const stop: (() => Promise<void>)[] = [];

// A real drive's path through the system: two devices sync batches over HTTP, the merge worker merges them.
beforeAll(async () => {
  cloud = await openTestCloud();
  const connection = createWorkerRedis(REDIS_URL);
  const merge = await startMergeWorker({
    db: cloud.db,
    connection,
    location: { prefix: cloud.prefix },
    concurrency: 1,
    reconcileEveryMs: 60_000,
    wireLimits: cloud.deps.wireLimits,
    logger: cloud.logger,
  });
  stop.push(async () => {
    await merge.close();
    await closeRedis(connection);
  });
  // The drive goes through an app that records per-route figures, as `serve` does; the sampler stores them.
  const metrics = createApiMetrics();
  const app = createApp({ ...cloud.deps, metrics });
  const a = await createDevice(cloud.db, { name: HOSTILE_NAME });
  const b = await createDevice(cloud.db, { name: "pi-b" });
  for (const [device, offset] of [
    [a, 0],
    [b, 0.01],
  ] as const) {
    for (let batchSeq = 0; batchSeq < 3; batchSeq += 1) {
      const observations = Array.from({ length: 20 }, (_, i) =>
        sighting(
          batchSeq * 20 + i + 1,
          `02:00:00:00:0${batchSeq}:${(i % 10).toString(16).padStart(2, "0")}`,
          {
            ssid: i === 0 ? HOSTILE_SSID : `net-${i % 10}`,
            rssiDbm: -50 - i,
            lat: 51.5 + offset + i * 1e-4,
            lon: -0.12 + offset + batchSeq * 1e-3,
            seenAt: T0 + batchSeq * 86_400_000 + i * 1000,
          },
        ),
      );
      // pi-b reports its health with each batch: one sample a minute, its SoC warming by 10 °C a batch
      const health =
        device === b
          ? [0, 1].map((m) => ({
              sampledAt: HEALTH_T0 + batchSeq * 120_000 + m * 60_000,
              rssMb: 60 + batchSeq,
              availableMemMb: 300,
              diskFreeMb: 2000 - batchSeq * 100 - m,
              socTempC: 50 + batchSeq * 10 + m,
              eventLoopLagMs: 2,
              writerQueueDepth: 0,
            }))
          : [];
      const res = await postBatch(app, device.token, {
        ...makeBatch({ deviceId: device.id, batchSeq }, observations),
        health,
      });
      expect(res.status).toBe(202);
    }
  }
  await eventually(async () => {
    const rs = await cloud.db.execute("SELECT count(*) AS n FROM landed_batches WHERE status = 'merged'");
    return Number(rs.rows[0]?.n) === 6 ? true : undefined;
  }, 20_000);
  const sampler = startSystemSampler({
    db: cloud.db,
    role: "api",
    logger: cloud.logger,
    everyMs: 100,
    routes: metrics.routeWindow,
  });
  await eventually(async () => {
    const rs = await cloud.db.execute("SELECT count(*) AS n FROM system_samples");
    return Number(rs.rows[0]?.n) >= 3 ? true : undefined;
  });
  sampler.stop();
  await saveRun(cloud.db, {
    name: HOSTILE_SSID,
    params: {},
    samplesMs: [1, 2],
    provenance: { gitCommit: null, nodeVersion: process.version, machine: "test" },
    result: {
      scenario: "analyst",
      model: "open",
      rate: 10,
      durationS: 1,
      requests: 10,
      achievedRps: 10,
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      lateStarts: 0,
      latencyMs: { p50: 1, p90: 2, p95: 2, p99: 3, p999: 3, max: 3 },
      perRoute: {},
      comparison: { baseline: "b", verdict: "slower", changePct: 12, pValue: 0.001 },
      thresholds: [
        { expr: "p99<2", observed: 3, ok: false },
        { expr: "errors<1%", observed: 0, ok: true },
      ],
    },
  });
  operatorKey = (await createApiKey(cloud.db, { role: "operator" })).key;
}, 60_000);
afterAll(async () => {
  for (const s of stop) await s();
  await cloud.cleanup();
});

async function report(kind: string, format = "html") {
  const res = await cloud.app.request(`/v1/reports/${kind}?since=${since}&format=${format}`, {
    headers: { authorization: `Bearer ${operatorKey}` },
  });
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

interface Node {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: Node[];
  content?: Node;
  value?: string;
}

/** Every element of a parsed document, depth first. */
function* elements(node: Node): Generator<Node> {
  yield node;
  for (const child of node.childNodes ?? []) yield* elements(child);
  if (node.content !== undefined) yield* elements(node.content);
}

const EXTERNAL = /^\s*(https?:)?\/\//i;
const EXTERNAL_CSS = /@import|url\(\s*["']?\s*(https?:)?\/\//i;

/**
 * Parses with the HTML spec's parser (parse5) and fails on any parse error; then walks the tree: no
 * script, no src/href/xlink:href/srcset to another host, no @import or external url( in a <style> or a
 * style attribute. (Escaped hostile text that merely reads "@import" is text, not a request.)
 */
function checkSelfContained(html: string) {
  const errors: string[] = [];
  const doc = parse(html, {
    onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`),
  }) as unknown as Node;
  expect(errors).toEqual([]);
  let svgs = 0;
  for (const el of elements(doc)) {
    expect(el.nodeName).not.toBe("script");
    if (el.nodeName === "svg") svgs += 1;
    for (const a of el.attrs ?? []) {
      if (["src", "href", "xlink:href", "srcset", "action", "poster", "data"].includes(a.name))
        expect(a.value).not.toMatch(EXTERNAL);
      if (a.name === "style") expect(a.value).not.toMatch(EXTERNAL_CSS);
    }
    if (el.nodeName === "style") {
      const css = (el.childNodes ?? []).map((c) => c.value ?? "").join("");
      expect(css).not.toMatch(EXTERNAL_CSS);
    }
  }
  expect(svgs).toBeGreaterThanOrEqual(1);
}

describe("reports from a synced drive", () => {
  it.each(["performance", "fleet", "coverage"])(
    "%s: one self-contained HTML file with SVG charts, hostile strings escaped",
    async (kind) => {
      const r = await report(kind);
      expect(r.status).toBe(200);
      expect(r.type).toBe("text/html; charset=utf-8");
      checkSelfContained(r.body);
      expect(r.body).not.toContain(HOSTILE_SSID);
      expect(r.body).not.toContain(HOSTILE_NAME);
    },
  );

  it("carries the drive's figures (JSON), the hostile SSID escaped in the HTML tables", async () => {
    const coverage = JSON.parse((await report("coverage", "json")).body);
    expect(coverage.sightingsPerDay.map((d: { sightings: number }) => d.sightings)).toEqual([40, 40, 40]);
    expect(coverage.perDevice.map((d: { sightings: number }) => d.sightings)).toEqual([60, 60]);
    expect(coverage.area.areaKm2).toBeGreaterThan(0);
    expect((await report("coverage")).body).toContain(
      "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;&lt;/title&gt;",
    );
    const fleet = JSON.parse((await report("fleet", "json")).body);
    expect(
      fleet.devices.map((d: { batches: number; backlogBatches: number }) => [d.batches, d.backlogBatches]),
    ).toEqual([
      [3, 0],
      [3, 0],
    ]);
    expect((await report("fleet")).body).toContain(
      "&lt;script src=&quot;https://evil.example/x.js&quot;&gt;",
    );
    // pi-b's health over time: its six samples in their buckets, the hottest 71 °C, the lowest disk 1799 MB
    const piB = fleet.devices.find((d: { name: string }) => d.name === "pi-b");
    const samples = piB.health.reduce((n: number, h: { samples: number }) => n + h.samples, 0);
    expect(samples).toBe(6);
    expect(Math.max(...piB.health.map((h: { soc_temp_c: number }) => h.soc_temp_c))).toBe(71);
    expect(Math.min(...piB.health.map((h: { disk_free_mb: number }) => h.disk_free_mb))).toBe(1799);
    const hostile = fleet.devices.find((d: { name: string }) => d.name !== "pi-b");
    expect(hostile.health).toEqual([]);
    expect((await report("fleet")).body).toContain("Health over time: SoC temperature °C (max)");
    const perf = await report("performance");
    expect(perf.body).toContain('<span class="bad">✗ p99&lt;2</span>');
    expect(perf.body).toContain('<span class="ok">✓ errors&lt;1%</span>');
    expect(perf.body).toContain("slower vs b (12 %, p=0.001)");
    const perfJson = JSON.parse((await report("performance", "json")).body);
    expect(perfJson.figures[0].perProcess[0].stats.samples).toBeGreaterThanOrEqual(3);
    // The six batches the drive posted, as the API answered them, and nothing else.
    expect(perfJson.routes).toHaveLength(1);
    const ingest = perfJson.routes[0];
    expect(ingest).toMatchObject({ method: "POST", route: "/v1/ingest", requests: 6, serverErrors: 0 });
    expect(ingest.latencyMs.p50).toBeGreaterThan(0);
    expect(ingest.latencyMs.p50).toBeLessThanOrEqual(ingest.latencyMs.max);
    expect(ingest.points.reduce((sum: number, p: [number, number]) => sum + p[1], 0)).toBeGreaterThan(0);
    expect(perf.body).toContain("<td>/v1/ingest</td>");
  });

  it("refuses bad windows, unknown kinds and analysts", async () => {
    expect(
      (
        await cloud.app.request(`/v1/reports/fleet?since=2030-01-01&until=2020-01-01`, {
          headers: { authorization: `Bearer ${operatorKey}` },
        })
      ).status,
    ).toBe(400);
    expect((await report("nope")).status).toBe(404);
    const analyst = (await createApiKey(cloud.db, { role: "analyst" })).key;
    expect(
      (await cloud.app.request("/v1/reports/fleet", { headers: { authorization: `Bearer ${analyst}` } }))
        .status,
    ).toBe(403);
  });

  it("piwardrive-cloud report coverage --out writes the same self-contained file", () => {
    const out = join(resolve(cloud.path, ".."), "coverage.html");
    const run = spawnSync(
      process.execPath,
      [MAIN, "report", "coverage", "--since", since, "--out", out, "--db", cloud.path],
      { encoding: "utf8", env: {} },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    checkSelfContained(readFileSync(out, "utf8"));
  });
});
