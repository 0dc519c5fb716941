import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { createLoadTestQueue } from "../loadtest/loadtest-queue.js";
import { startLoadTestWorker } from "../loadtest/loadtest-worker.js";
import { startServer } from "../server.js";
import { createApiKey } from "../services/api-keys.js";
import { eventually, openTestCloud } from "../test-support/test-cloud.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The real app on a real port with the {loadtest} queue and its worker, under this test's prefix. */
async function liveCloud() {
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
