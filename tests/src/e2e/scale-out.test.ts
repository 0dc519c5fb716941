import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { CloudProcesses } from "./harness/cloud-processes.js";
import { cloudObservations, edgeObservations } from "./harness/compare.js";
import { EdgeHarness } from "./harness/edge.js";
import { CLOUD_CLI, REPO_ROOT } from "./harness/paths.js";
import { killAllChildren, run, waitFor } from "./harness/processes.js";
import { RoundRobinProxy } from "./harness/round-robin-proxy.js";
import { syntheticWigleCsv } from "./harness/synthetic-wigle.js";

const DEVICES = 4;
/** 15,000 rows: three batches per device (the outbox cuts at 5,000). */
const ROWS = 15_000;
/** ... and two more per device from a second drive of 6,000. */
const BATCHES = DEVICES * (Math.ceil(ROWS / 5000) + 2);
const SAMPLES = 40;
const EDGE_VERSION = (
  JSON.parse(readFileSync(`${REPO_ROOT}/edge-agent/package.json`, "utf8")) as { version: string }
).version;

/**
 * Health samples as the edge's guards write them, and a GPS track as gpsd would leave it (a WiGLE import has
 * positions on its sightings but no fixes), so both travel with the batches.
 */
async function recordHealthAndTrack(edge: EdgeHarness, hotFrom: number): Promise<void> {
  const now = Date.now();
  await edge.query(async (db) => {
    for (let i = 0; i < SAMPLES; i++) {
      const guards = {
        memory: { level: "none", reason: "" },
        disk: { belowFloor: false, reason: "" },
        heat: { hot: i >= hotFrom, reason: "" },
        lag: { lagging: false, reason: "" },
        scanIntervalMultiplier: 1,
      };
      await db.execute({
        sql: `INSERT INTO health_samples (sampled_at, rss_mb, available_mem_mb, disk_free_mb, soc_temp_c,
          event_loop_lag_ms, writer_queue_depth, guards) VALUES (?, 60, 300, 8000, ?, 4, 0, ?)`,
        args: [now - (SAMPLES - i) * 10_000, i >= hotFrom ? 84 : 50 + i / 10, JSON.stringify(guards)],
      });
      await db.execute({
        sql: `INSERT INTO gps_fixes (run_id, fixed_at, lat, lon, altitude_m, mode, accuracy_m, hdop, speed_mps,
          track_deg, source) VALUES ('gps-run', ?, ?, 13.4, 35, 3, 4, 0.9, 11, 90, 'gpsd')`,
        args: [now - (SAMPLES - i) * 1000, 52.5 + i * 1e-4],
      });
    }
  });
}

describe("scale-out: two API processes and two workers on one Redis and one database file", () => {
  const cloud = new CloudHarness();
  const edges: EdgeHarness[] = [];
  let procs: CloudProcesses;
  let proxy: RoundRobinProxy;
  let operatorKey = "";

  beforeAll(async () => {
    await cloud.init();
    const key = await run(
      process.execPath,
      [CLOUD_CLI, "keys", "add", "--role", "operator", "--json"].concat(["--db", cloud.dbPath]),
    );
    operatorKey = String(JSON.parse(key.stdout).key);
    for (let i = 0; i < DEVICES; i++) edges.push(new EdgeHarness(await cloud.addDevice(`pi-${i}`)));
    await Promise.all(edges.map((e, i) => e.importText(syntheticWigleCsv(ROWS, { tag: 40 + i }))));
    for (const [i, edge] of edges.entries())
      await recordHealthAndTrack(edge, i === 0 ? SAMPLES - 5 : SAMPLES);
    procs = new CloudProcesses(cloud.dbPath, cloud.redisUrl, cloud.prefix, {
      PIWARDRIVE_INGEST_PER_MINUTE: "100000",
      PIWARDRIVE_RECONCILE_EVERY_MS: "1000",
      // the synthetic drive is from 2025: keep its track
      PIWARDRIVE_DEVICE_HEALTH_DAYS: "3650",
      PIWARDRIVE_FLEET_CHECK_EVERY_MS: "2000",
    });
  }, 60_000);

  afterAll(async () => {
    await proxy?.close();
    await killAllChildren();
    await cloud.cleanup();
    for (const e of edges) e.cleanup();
  });

  const count = (sql: string) => cloud.count(sql);

  it("stays exact with an API and a worker SIGKILLed mid-run and restarted", async () => {
    const ports = await Promise.all([procs.startApi("api-1"), procs.startApi("api-2")]);
    await Promise.all([procs.startWorker("worker-1"), procs.startWorker("worker-2")]);
    proxy = new RoundRobinProxy(ports);
    const url = await proxy.start();
    const syncs = edges.map((e) => e.spawnSync(url));

    // api-1 dies once it has answered some uploads (others of its requests are in flight: they come back 502)
    await waitFor(
      "api-1 answering",
      () => ((proxy.served.get(ports[0] ?? 0) ?? 0) >= 2 ? true : undefined),
      30_000,
      10,
    );
    await procs.kill("api-1");
    await waitFor(
      "a first merged batch",
      async () =>
        (await count("SELECT count(*) AS n FROM landed_batches WHERE status = 'merged'")) > 0
          ? true
          : undefined,
      30_000,
      20,
    );
    await procs.kill("worker-1");
    const mergedAtKill = await count("SELECT count(*) AS n FROM landed_batches WHERE status = 'merged'");
    expect(mergedAtKill).toBeLessThan(DEVICES * Math.ceil(ROWS / 5000));
    await sleep(500);
    await Promise.all([procs.startApi("api-1"), procs.startWorker("worker-1")]);

    const codes = await Promise.all(syncs.map((s) => s.exited));
    expect(codes, syncs.map((s) => s.output()).join("\n")).toEqual(edges.map(() => 0));
    for (const s of syncs) expect(JSON.parse(s.output().trim().split("\n").pop() ?? "{}").backlog).toBe(0);
    expect([...proxy.served.keys()].sort()).toEqual([...ports].sort());

    // a second drive per device, after the restarts: the restarted API and worker take their share
    const servedBefore = proxy.served.get(ports[0] ?? 0) ?? 0;
    await Promise.all(edges.map((e, i) => e.importText(syntheticWigleCsv(6000, { tag: 80 + i }))));
    const second = await Promise.all(edges.map((e) => e.syncOnce(url)));
    expect(second.map((r) => [r.code, r.json?.backlog])).toEqual(edges.map(() => [0, 0]));
    expect(proxy.served.get(ports[0] ?? 0) ?? 0).toBeGreaterThan(servedBefore);

    await waitFor(
      "every landed batch merged",
      async () => {
        const open = await count("SELECT count(*) AS n FROM landed_batches WHERE status <> 'merged'");
        return open === 0 ? true : undefined;
      },
      45_000,
      200,
    );
    expect(await count("SELECT count(*) AS n FROM landed_batches")).toBe(BATCHES);

    // every sighting once, exactly as the edge has it
    let total = 0;
    for (const edge of edges) {
      const want = await edgeObservations(edge);
      const got = await cloudObservations(cloud, edge.device.id);
      expect(got.size).toBe(want.size);
      const differing = [...want].filter(([k, row]) => JSON.stringify(got.get(k)) !== JSON.stringify(row));
      expect(differing.slice(0, 3)).toEqual([]);
      total += want.size;
    }
    expect(await count("SELECT count(*) AS n FROM observations")).toBe(total);

    // the aggregates equal a recomputation from the observation rows
    const networksOff = `SELECT count(*) AS n FROM networks w LEFT JOIN (SELECT mac, count(*) AS c,
        count(DISTINCT device_id) AS d, min(seen_at) AS f, max(seen_at) AS l FROM observations GROUP BY mac) o
      ON o.mac = w.mac
      WHERE o.mac IS NULL OR w.observation_count <> o.c OR w.device_count <> o.d OR w.first_seen <> o.f OR w.last_seen <> o.l`;
    expect(await count(networksOff)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM networks")).toBe(
      await count("SELECT count(DISTINCT mac) AS n FROM observations"),
    );
    const networkDevicesOff = `SELECT count(*) AS n FROM network_devices nd LEFT JOIN (SELECT mac, device_id,
        count(*) AS c, min(seen_at) AS f, max(seen_at) AS l FROM observations GROUP BY mac, device_id) o
      ON o.mac = nd.mac AND o.device_id = nd.device_id
      WHERE o.mac IS NULL OR nd.observations <> o.c OR nd.first_seen <> o.f OR nd.last_seen <> o.l`;
    expect(await count(networkDevicesOff)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM network_devices")).toBe(
      await count("SELECT count(*) AS n FROM (SELECT DISTINCT mac, device_id FROM observations)"),
    );

    // and so do the fleet tables: per-device counts, newest batch, sample and fix
    const statusOff = `SELECT count(*) AS n FROM device_status s
      WHERE s.observation_count <> (SELECT count(*) FROM observations o WHERE o.device_id = s.device_id)
        OR s.last_batch_at IS NOT (SELECT max(received_at) FROM landed_batches b WHERE b.device_id = s.device_id)
        OR s.health_sampled_at IS NOT (SELECT max(sampled_at) FROM device_health h WHERE h.device_id = s.device_id)
        OR s.last_fix_at IS NOT (SELECT max(fixed_at) FROM device_tracks t WHERE t.device_id = s.device_id)`;
    expect(await count(statusOff)).toBe(0);
    expect(await count("SELECT count(*) AS n FROM device_status")).toBe(DEVICES);
    for (const edge of edges) {
      const id = edge.device.id;
      expect(await cloud.count("SELECT count(*) AS n FROM device_health WHERE device_id = ?", [id])).toBe(
        await edge.count(
          "SELECT count(*) AS n FROM health_samples WHERE id <= (SELECT max(acked_health_id) FROM sync_state)",
        ),
      );
      // the fixes acknowledged with the batches (more than a batch carries may wait for the next sightings)
      const fixes = await edge.count(
        "SELECT count(DISTINCT fixed_at) AS n FROM gps_fixes WHERE id <= (SELECT max(acked_fix_id) FROM sync_state)",
      );
      expect(fixes).toBe(SAMPLES);
      expect(await cloud.count("SELECT count(*) AS n FROM device_tracks WHERE device_id = ?", [id])).toBe(
        fixes,
      );
    }

    // what operators see, through either API
    const res = await fetch(`${url}/v1/devices`, { headers: { authorization: `Bearer ${operatorKey}` } });
    const body = (await res.json()) as {
      devices: {
        id: string;
        observations: number;
        backlog: number;
        agentVersion: string;
        stale: boolean;
        health: { socTempC: number; guards: { hot: boolean } };
      }[];
    };
    const byId = new Map(body.devices.map((d) => [d.id, d]));
    for (const edge of edges) {
      const d = byId.get(edge.device.id);
      expect(d).toMatchObject({ backlog: 0, agentVersion: EDGE_VERSION, stale: false });
      expect(d?.observations).toBe(await edge.count("SELECT count(*) AS n FROM observations"));
    }
    expect(byId.get(edges[0]?.device.id ?? "")?.health).toMatchObject({
      socTempC: 84,
      guards: { hot: true },
    });

    // the hot device raises one fleet alert, whichever worker's {fleet} job ran first
    await waitFor(
      "a device_hot alert",
      async () =>
        (await count("SELECT count(*) AS n FROM alerts WHERE type = 'device_hot'")) > 0 ? true : undefined,
      15_000,
      200,
    );
    await sleep(2500);
    const hot = await cloud.db.execute("SELECT subject_id, dedupe_key FROM alerts WHERE type = 'device_hot'");
    expect(hot.rows.map((r) => r.subject_id)).toEqual([edges[0]?.device.id]);
  }, 120_000);
});
