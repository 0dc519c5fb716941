import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatementStats } from "../db/statement-stats.js";
import { createApiKey } from "../services/api-keys.js";
import { FLEET_T0, fleetMac, fleetSighting, prng } from "../test-support/fleet-fixture.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { eventually, openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { lazyReadPool, localReads, ReadPool } from "./read-pool.js";

const DAY = 86_400_000;
let threaded: TestCloud;
let auth: string;
let batchSeq = 0;
let seq = 1;
const random = prng(11);

async function drive(deviceId: string, ids: number[], day: number): Promise<void> {
  const rows = ids.map((i, k) => fleetSighting(seq++, i, FLEET_T0 + day * DAY + k * 1000, random));
  await landAndMerge(threaded.db, { deviceId, batchSeq: batchSeq++ }, rows, FLEET_T0 + (10 + day) * DAY);
}

beforeAll(async () => {
  threaded = await openTestCloud({ readThreads: 2 });
  auth = `Bearer ${(await createApiKey(threaded.db, { role: "analyst" })).key}`;
  await drive(
    "dev-a",
    Array.from({ length: 80 }, (_, i) => i),
    0,
  );
  await drive(
    "dev-b",
    Array.from({ length: 60 }, (_, i) => i + 40),
    1,
  );
  return () => threaded.cleanup();
});

const get = async (path: string) => {
  const res = await threaded.app.request(path, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("analyst reads on reader threads", () => {
  it("answer what the same reads on the API's connection answer", async () => {
    const here = localReads(threaded.db);
    const paths: [string, () => Promise<unknown>][] = [
      [
        "/v1/networks?limit=7",
        () => here.run("searchNetworks", { filters: {}, sort: "-lastSeen", limit: 7 }),
      ],
      [
        "/v1/networks?bbox=151.2,-33.8,151.235,-33.75&sort=-rssi",
        () =>
          here.run("searchNetworks", {
            filters: { bbox: { minLon: 151.2, minLat: -33.8, maxLon: 151.235, maxLat: -33.75 } },
            sort: "-rssi",
            limit: 100,
          }),
      ],
      [`/v1/networks/${fleetMac(45)}`, () => here.run("networkDetail", fleetMac(45))],
    ];
    for (const [path, local] of paths) {
      const { status, body } = await get(path);
      expect(status, path).toBe(200);
      const expected = JSON.parse(JSON.stringify(await local())) as Record<string, unknown>;
      // Cursors carry the clock of the first page; everything else is the same.
      if ("nextCursor" in body) {
        expect(body.nextCursor === null).toBe(expected.nextCursor === null);
        delete body.nextCursor;
        delete expected.nextCursor;
      }
      expect(body, path).toEqual(expected);
    }
  });

  it("see a merge committed on the API's connection at once", async () => {
    const before = await get(`/v1/networks/${fleetMac(500)}`);
    expect(before.status).toBe(404);
    await drive("dev-c", [500, 501], 2);
    const after = await get(`/v1/networks/${fleetMac(500)}`);
    expect(after.status).toBe(200);
    expect((after.body.network as { mac: string }).mac).toBe(fleetMac(500));
  });

  it("keep the error classes: 404 unknown network, 400 bad cursor, 400 unknown parameter", async () => {
    expect((await get(`/v1/networks/${fleetMac(9999)}`)).status).toBe(404);
    const bad = await get("/v1/networks?cursor=bm90LWEtY3Vyc29y");
    expect(bad.status).toBe(400);
    expect((bad.body.error as { code: string; message: string }).message).toMatch(/cursor/);
    expect((await get("/v1/networks?color=red")).status).toBe(400);
  });

  it("spread concurrent reads over the threads and record their statements", async () => {
    const stats = new StatementStats({ thresholdMs: 1e9 });
    const pool = await ReadPool.start({ db: threaded.path }, 2, stats, threaded.db);
    try {
      expect(pool.threads).toBe(2);
      const pages = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          pool.run("searchNetworks", { filters: {}, sort: "-lastSeen", limit: 1 + (i % 5) }),
        ),
      );
      for (const [i, p] of pages.entries()) expect(p.networks).toHaveLength(1 + (i % 5));
      const report = stats.report(50);
      expect(report.calls).toBeGreaterThanOrEqual(20 * 2);
      expect(report.top.some((s) => s.statement.includes("json_group_array"))).toBe(true);
    } finally {
      await pool.close();
    }
    await expect(pool.run("networkDetail", fleetMac(1))).rejects.toThrow(/closed/);
  });

  it("replace a reader thread that died", async () => {
    const pool = await ReadPool.start({ db: threaded.path }, 1);
    try {
      expect((await pool.run("networkDetail", fleetMac(45))).network.mac).toBe(fleetMac(45));
      await pool.terminateReader(0);
      await eventually(async () => (pool.threads === 1 ? true : undefined));
      expect((await pool.run("networkDetail", fleetMac(46))).network.mac).toBe(fleetMac(46));
    } finally {
      await pool.close();
    }
  });

  it("start lazily: no thread before the first read, and a failed start fails only that read", async () => {
    const lazy = lazyReadPool({ db: threaded.path }, 1);
    expect(lazy.started()).toBe(false);
    const page = await lazy.run("searchNetworks", { filters: {}, sort: "-lastSeen", limit: 2 });
    expect(page.networks).toHaveLength(2);
    expect(lazy.started()).toBe(true);
    await lazy.close();
    await expect(lazy.run("networkDetail", fleetMac(1))).rejects.toThrow(/closed/);
    const broken = lazyReadPool({ db: `${threaded.path}/cloud.db` }, 1);
    await expect(broken.run("networkDetail", fleetMac(1))).rejects.toThrow(/could not open/);
    expect(broken.started()).toBe(false);
    await broken.close();
  });

  it("refuse to start on a database they cannot open", async () => {
    // A path under a regular file: no folder can be made for it.
    await expect(ReadPool.start({ db: `${threaded.path}/cloud.db` }, 1)).rejects.toThrow(/could not open/);
  });
});

afterAll(() => undefined);
