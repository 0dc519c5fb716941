import { afterEach, describe, expect, it } from "vitest";
import { addWatch } from "../alerts/watchlist.js";
import { parseAllowList } from "../alerts/webhook-target.js";
import { createWebhook } from "../alerts/webhooks.js";
import { closeRedis, createWorkerRedis } from "../queues/redis.js";
import { startServer } from "../server.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { sighting } from "../test-support/batches.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { eventually, openTestCloud, REDIS_URL } from "../test-support/test-cloud.js";
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

/** What a load-test run must leave as it found it. */
const COUNTS =
  "SELECT (SELECT count(*) FROM devices) AS devices, (SELECT count(*) FROM landed_batches) AS batches, " +
  "(SELECT count(*) FROM observations) AS observations, (SELECT count(*) FROM networks) AS networks, " +
  "(SELECT count(*) FROM heatmap_cells) + (SELECT count(*) FROM heatmap_cell_totals) + " +
  "(SELECT count(*) FROM heatmap_presence) + (SELECT count(*) FROM heatmap_presence_ever) AS cells, " +
  "(SELECT count(*) FROM daily_device_activity) + (SELECT count(*) FROM daily_new_transmitters) AS days";

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
    // an operator watches an OUI the simulated devices use and a real SSID, with a hook for every alert
    await addWatch(cloud.db, { type: "oui", value: "0a:1d:7e" });
    await addWatch(cloud.db, { type: "ssid", value: "real-net" });
    await createWebhook(
      cloud.db,
      { url: "http://127.0.0.1:9/", watchlistId: null },
      parseAllowList("127.0.0.1"),
    );
    await landAndMerge(cloud.db, { deviceId: kept.id }, [
      sighting(1, "a0:00:00:00:00:01", { ssid: "real-net" }),
    ]);
    // what the real device's sighting counts in the heatmap cells and daily stats: the run must leave it
    const before = await cloud.db.execute(COUNTS);
    const loadtest = ingestScenario(cloud.db, { devices: 3, runTag: "t1" });
    let raisedByLoad = 0;
    const scenario = {
      ...loadtest,
      async close() {
        // what the run's batches raised, once merged, before the scenario removes it
        await eventually(async () => {
          const rs = await cloud.db.execute(
            "SELECT count(*) AS n FROM landed_batches WHERE status = 'landed'",
          );
          return Number(rs.rows[0]?.n) === 0 ? true : undefined;
        }, 30_000);
        const rs = await cloud.db.execute({
          sql: "SELECT count(*) AS n FROM alerts WHERE device_id <> ?",
          args: [kept.id],
        });
        raisedByLoad = Number(rs.rows[0]?.n);
        await loadtest.close?.();
      },
    };
    const run = await runLoad({ ...base, target: url, scenario, model: "open", rate: 20, durationS: 1 });
    expect(raisedByLoad).toBeGreaterThan(0);
    expect(run.requests).toBe(20);
    expect(run.errors).toBe(0);
    expect(Object.keys(run.perRoute)).toEqual(["POST /v1/ingest"]);
    const left = await cloud.db.execute(COUNTS);
    expect(left.rows[0]).toMatchObject({
      devices: 1,
      batches: 1,
      observations: 1,
      networks: 1,
      cells: before.rows[0]?.cells,
      days: before.rows[0]?.days,
    });
    expect(Number(before.rows[0]?.days)).toBeGreaterThan(0);
    // the real device's alert and its delivery stay; the run's are gone
    const alerts = await cloud.db.execute("SELECT subject_id, device_id FROM alerts");
    expect(alerts.rows.map((r) => [r.subject_id, r.device_id])).toEqual([["a0:00:00:00:00:01", kept.id]]);
    const deliveries = await cloud.db.execute("SELECT count(*) AS n FROM webhook_deliveries");
    expect(Number(deliveries.rows[0]?.n)).toBe(1);
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
