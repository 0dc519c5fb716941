import { afterEach, describe, expect, it } from "vitest";
import { closeRedis, createWorkerRedis } from "../queues/redis.js";
import { startServer } from "../server.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { openTestCloud, REDIS_URL } from "../test-support/test-cloud.js";
import { startMergeWorker } from "../workers/merge-worker.js";
import { analystParamsFromDb, analystScenario } from "./analyst-scenario.js";
import { ingestScenario } from "./ingest-scenario.js";
import { runLoad } from "./run-load.js";
import { seededRandom } from "./scenario.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function liveCloud() {
  const cloud = await openTestCloud();
  cleanups.push(() => cloud.cleanup());
  const server = await startServer({ app: cloud.app, port: 0 });
  cleanups.push(() => server.close());
  return { cloud, url: server.url };
}

const base = { warmupS: 0, connections: 8, timeoutMs: 10_000, random: seededRandom(3) } as const;

describe("built-in scenarios against the real API", () => {
  it("ingest: simulated devices post real wire batches (202) and leave nothing behind", async () => {
    const { cloud, url } = await liveCloud();
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
    cleanups.push(async () => {
      await merge.close();
      await closeRedis(connection);
    });
    const kept = await createDevice(cloud.db, { name: "real-pi" });
    const scenario = ingestScenario(cloud.db, { devices: 3, runTag: "t1" });
    const run = await runLoad({ ...base, target: url, scenario, model: "open", rate: 20, durationS: 1 });
    expect(run.requests).toBe(20);
    expect(run.errors).toBe(0);
    expect(Object.keys(run.perRoute)).toEqual(["POST /v1/ingest"]);
    const left = await cloud.db.execute(
      "SELECT (SELECT count(*) FROM devices) AS devices, (SELECT count(*) FROM landed_batches) AS batches, " +
        "(SELECT count(*) FROM observations) AS observations, (SELECT count(*) FROM networks) AS networks, " +
        "(SELECT count(*) FROM heatmap_cells) + (SELECT count(*) FROM heatmap_cell_totals) + " +
        "(SELECT count(*) FROM heatmap_presence) + (SELECT count(*) FROM heatmap_presence_ever) AS cells, " +
        "(SELECT count(*) FROM daily_device_activity) + (SELECT count(*) FROM daily_new_transmitters) AS days",
    );
    expect(left.rows[0]).toMatchObject({
      devices: 1,
      batches: 0,
      observations: 0,
      networks: 0,
      cells: 0,
      days: 0,
    });
    const device = await cloud.db.execute({ sql: "SELECT name FROM devices WHERE id = ?", args: [kept.id] });
    expect(device.rows[0]?.name).toBe("real-pi");
  }, 60_000);

  it("analyst: probes the analyst routes and keeps only those this API serves", async () => {
    const { cloud, url } = await liveCloud();
    const { key } = await createApiKey(cloud.db, { role: "analyst" });
    const params = await analystParamsFromDb(cloud.db);
    const scenario = await analystScenario(url, params, `Bearer ${key}`);
    expect(scenario.routes).toContain("GET /v1/stats");
    expect(scenario.routes).toContain("GET /v1/stats/daily");
    // Routes this build does not serve (404 "no route") are left out of the mix, not counted as errors.
    expect(scenario.routes.every((r) => r.startsWith("GET /v1/"))).toBe(true);
    const authorization = `Bearer ${key}`;
    const run = await runLoad({
      ...base,
      target: url,
      scenario,
      model: "open",
      rate: 30,
      durationS: 1,
      authorization,
    });
    expect(run.requests).toBe(30);
    expect(run.errors).toBe(0);
    await expect(analystScenario(url, params, undefined)).rejects.toThrow(
      /needs --key with the analyst role/,
    );
  }, 30_000);
});
