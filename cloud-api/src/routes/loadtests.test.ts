import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { currentProvenance, saveRun } from "../loadtest/baseline-store.js";
import { createLoadTestQueue } from "../loadtest/loadtest-queue.js";
import { startLoadTestWorker } from "../loadtest/loadtest-worker.js";
import { createPipelineMetrics } from "../metrics/pipeline-metrics.js";
import { startServer } from "../server.js";
import { createApiKey } from "../services/api-keys.js";
import { eventually, openTestCloud } from "../test-support/test-cloud.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The real app on a real port with the {loadtest} queue and its worker, under this test's prefix. */
async function liveCloud(alertWebhookUrl?: string) {
  const cloud = await openTestCloud();
  cleanups.push(() => cloud.cleanup());
  const queue = createLoadTestQueue(cloud.workerRedis, { prefix: cloud.prefix });
  const loadtests = { queue, selfOrigin: undefined as string | undefined };
  const server = await startServer({ app: createApp({ ...cloud.deps, loadtests }), port: 0 });
  loadtests.selfOrigin = server.url;
  const worker = startLoadTestWorker({
    db: cloud.db,
    connection: cloud.workerRedis,
    location: { prefix: cloud.prefix },
    logger: cloud.logger,
    alertWebhookUrl,
  });
  cleanups.push(async () => {
    await worker.close();
    await server.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  const { key } = await createApiKey(cloud.db, { role: "operator" });
  const post = (body: unknown, secret = key) =>
    fetch(`${server.url}/v1/loadtests`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { cloud, url: server.url, post, get };
}

const health = {
  scenario: { requests: [{ path: "/health" }] },
  rate: 20,
  durationS: 1,
  thresholds: ["errors<1%"],
};

describe("POST /v1/loadtests", () => {
  it("refuses any other host with 400, and a rate or duration over the cap", async () => {
    const { url, post } = await liveCloud();
    for (const target of ["http://169.254.169.254/latest", "http://127.0.0.1:1", "https://example.com"]) {
      const res = await post({ ...health, target });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/other hosts are refused/);
    }
    const res = await post({ ...health, rate: 10_000 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^rate:/);
    expect((await post({ ...health, target: `${url}/` })).status).toBe(202);
  });

  it("runs one at a time: of two concurrent requests the second is refused (409); the first's result is stored", async () => {
    const { cloud, post, get } = await liveCloud();
    const analyst = await createApiKey(cloud.db, { role: "analyst" });
    expect((await post(health, analyst.key)).status).toBe(403);
    const [a, b] = await Promise.all([post(health), post(health)]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const accepted = (await (a.status === 202 ? a : b).json()) as { id: string };
    const refused = (await (a.status === 202 ? b : a).json()) as { error: { code: string } };
    expect(refused.error.code).toBe("loadtest_running");
    const done = await eventually(async () => {
      const { body } = await get(`/v1/loadtests/${accepted.id}`);
      return body.status === "done" || body.status === "failed" ? body : undefined;
    }, 20_000);
    expect(done).toMatchObject({ status: "done", origin: "api", error: null });
    expect(done.result).toMatchObject({
      model: "open",
      rate: 20,
      requests: 20,
      errors: 0,
      thresholds: [{ expr: "errors<1%", ok: true }],
    });
    const list = await get("/v1/loadtests");
    expect((list.body.loadtests as { id: string }[]).map((r) => r.id)).toEqual([accepted.id]);
    // once it is done, the next one is accepted
    expect((await post(health)).status).toBe(202);
    expect((await get("/v1/loadtests/lt-nope")).status).toBe(404);
  }, 40_000);
});

/** A real local receiver for the alert webhook: it keeps every body it was sent. */
async function alertReceiver() {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, bodies };
}

describe("POST /v1/loadtests with compare", () => {
  it("tests the run against a saved baseline: a regression is stored, counted in /metrics and sent to the alert webhook", async () => {
    const receiver = await alertReceiver();
    const { cloud, post, get } = await liveCloud(receiver.url);
    // A baseline no real request can match: every one of its latencies is 1 µs.
    await saveRun(cloud.db, {
      name: "impossibly-fast",
      params: {},
      result: {} as never,
      samplesMs: Array.from({ length: 200 }, () => 0.001),
      provenance: currentProvenance(),
    });
    const unknown = await post({ ...health, compare: "no-such-baseline" });
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(await unknown.json())).toContain("no-such-baseline");

    const metrics = createPipelineMetrics({ db: cloud.db, dbPath: undefined, queues: () => [] });
    const regressions = async () =>
      (await metrics.registry.metrics())
        .split("\n")
        .find((l) => l.startsWith("piwardrive_loadtest_regressions_total{")) ?? null;
    expect(await regressions()).toBeNull();

    const res = await post({ ...health, compare: "impossibly-fast" });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await eventually(async () => {
      const { body } = await get(`/v1/loadtests/${id}`);
      return body.status === "done" || body.status === "failed" ? body : undefined;
    }, 20_000);
    expect(done.status).toBe("done");
    const comparison = (done.result as { comparison: Record<string, unknown> }).comparison;
    expect(comparison).toMatchObject({ baseline: "impossibly-fast", verdict: "slower" });
    expect(comparison.pValue as number).toBeLessThan(0.01);
    expect(await regressions()).toBe('piwardrive_loadtest_regressions_total{scenario="api",role="worker"} 1');
    await eventually(async () => (receiver.bodies.length > 0 ? true : undefined));
    expect(receiver.bodies).toEqual([
      expect.objectContaining({ kind: "loadtest_regression", baseline: "impossibly-fast", scenario: "api" }),
    ]);
  }, 40_000);
});
