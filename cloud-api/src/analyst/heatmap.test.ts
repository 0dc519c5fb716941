import { spawn } from "node:child_process";
import { once } from "node:events";
import type { Client } from "@libsql/client";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import ngeohash from "ngeohash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { dailyStatsResponseSchema, heatmapResponseSchema } from "../routes/analyst/schema.js";
import { type RunningServer, startServer } from "../server.js";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { forgetCellsAndDays } from "../services/forget-cells-and-days.js";
import { makeBatch, postBatch, sighting, T0 } from "../test-support/batches.js";
import { expectError } from "../test-support/expect-error.js";
import { prng } from "../test-support/fleet-fixture.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { heatmapStatements, readHeatmap } from "./heatmap.js";
import { parseHeatmapQuery } from "./heatmap-query.js";

/*
 * Heatmap cells and daily stats through a real server, against references computed here in plain JS
 * from the merged sightings, with ngeohash (not the code under test) placing each sighting in its cell.
 */

// The BUILT CLI (npm run build first), for a merge worker in its own process.
const CLI = new URL("../../bin/piwardrive-cloud.js", import.meta.url).pathname;
const DAY = 86_400_000;
const D0 = Math.floor(T0 / DAY) * DAY;
const random = prng(24);
/** Everything merged so far, as the reference sees it. */
const merged: { o: WireObservation; deviceId: string }[] = [];
let cloud: TestCloud;
let server: RunningServer;
let analyst: string;
let seq = 1;
let batchSeq = 0;

const mac = (i: number) =>
  `0a:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`;
/** Networks 0-59 on a ~5 km square that crosses cells at every precision; 60-63 about 10 km north. */
const home = (i: number) =>
  i < 60
    ? { lat: -33.8 + (i % 8) * 0.006, lon: 151.2 + Math.floor(i / 8) * 0.006 }
    : { lat: -33.7 + i * 1e-4, lon: 151.25 };

/** Three sightings per network within ~150 m of it (crossing precision-7 cells), one in ten unplaced. */
function drive(ids: number[], days: number[]): WireObservation[] {
  const out: WireObservation[] = [];
  for (const i of ids) {
    for (let k = 0; k < 3; k++) {
      const day = days[(i + k) % days.length] ?? 0;
      const placed = (i * 3 + k) % 10 !== 9;
      const p = home(i);
      out.push(
        sighting(seq++, mac(i), {
          // Network 1 is a dual-mode Bluetooth address: seen as bt and as ble.
          kind: i === 1 ? (k % 2 === 0 ? "bt" : "ble") : i % 6 === 0 ? "ble" : "wifi",
          seenAt: D0 + day * DAY + Math.floor(random() * 20 * 3_600_000),
          rssiDbm: -40 - Math.floor(random() * 40),
          lat: placed ? p.lat + (random() - 0.5) * 0.003 : null,
          lon: placed ? p.lon + (random() - 0.5) * 0.003 : null,
        }),
      );
    }
  }
  return out;
}

async function merge(db: Client, deviceId: string, rows: WireObservation[]): Promise<void> {
  await landAndMerge(db, { deviceId, batchSeq: batchSeq++ }, rows);
  merged.push(...rows.map((o) => ({ o, deviceId })));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

beforeAll(async () => {
  cloud = await openTestCloud();
  server = await startServer({ app: cloud.app, port: 0 });
  analyst = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
  await merge(cloud.db, "dev-a", drive(range(0, 40), [1]));
  await merge(cloud.db, "dev-b", drive(range(20, 64), [2]));
  await merge(cloud.db, "dev-a", drive([...range(0, 16), ...range(50, 64)], [3]));
  // A device that synced late: day 0, so networks 30-45 get an earlier first day.
  await merge(cloud.db, "dev-c", drive(range(30, 46), [0]));
  // One batch over two days.
  await merge(cloud.db, "dev-b", drive(range(5, 26), [2, 3]));
});
afterAll(async () => {
  await server.close();
  await cloud.cleanup();
});

const get = (path: string, authorization = analyst) =>
  fetch(`${server.url}${path}`, { headers: { authorization } });

interface Bbox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}
const ALL: Bbox = { minLon: 151.19, minLat: -33.81, maxLon: 151.26, maxLat: -33.69 };
const PART: Bbox = { minLon: 151.205, minLat: -33.797, maxLon: 151.231, maxLat: -33.771 };
const bboxParam = (b: Bbox) => `${b.minLon},${b.minLat},${b.maxLon},${b.maxLat}`;

type Counts = Record<string, { observations: number; networks: number }>;

/** The reference: every placed sighting in its ngeohash cell, cells touching the bbox, distinct MACs. */
function reference(
  rows: typeof merged,
  q: { bbox: Bbox; resolution: number; kind?: string; days?: [number, number] },
): Counts {
  const cells = new Map<string, { observations: number; macs: Set<string> }>();
  for (const { o } of rows) {
    if (o.lat === null || o.lon === null) continue;
    if (q.kind !== undefined && o.kind !== q.kind) continue;
    const day = Math.floor((o.seenAt - D0) / DAY);
    if (q.days && (day < q.days[0] || day > q.days[1])) continue;
    const cell = ngeohash.encode(o.lat, o.lon, q.resolution);
    const [s, w, n, e] = ngeohash.decode_bbox(cell);
    if (!(w <= q.bbox.maxLon && e > q.bbox.minLon && s <= q.bbox.maxLat && n > q.bbox.minLat)) continue;
    const c = cells.get(cell) ?? { observations: 0, macs: new Set<string>() };
    c.observations++;
    c.macs.add(o.mac);
    cells.set(cell, c);
  }
  return Object.fromEntries(
    [...cells].map(([cell, c]) => [cell, { observations: c.observations, networks: c.macs.size }]),
  );
}

const isoDay = (day: number) => new Date(D0 + day * DAY).toISOString();

async function heatmap(
  query: string,
): Promise<{ counts: Counts; body: ReturnType<typeof heatmapResponseSchema.parse> }> {
  const res = await get(`/v1/heatmap?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const body = heatmapResponseSchema.parse(await res.json());
  const counts = Object.fromEntries(
    body.features.map((f) => [
      f.properties.cell,
      { observations: f.properties.observations, networks: f.properties.networks },
    ]),
  );
  return { counts, body };
}

describe("GET /v1/heatmap against the reference", () => {
  for (const resolution of [5, 6, 7]) {
    for (const kind of [undefined, "wifi", "ble"]) {
      for (const days of [undefined, [2, 2], [1, 3], [0, 2]] as const) {
        for (const [name, bbox] of [
          ["all", ALL],
          ["part", PART],
        ] as const) {
          const label = `resolution ${resolution}, kind ${kind ?? "all"}, days ${days?.join("-") ?? "all"}, ${name}`;
          it(label, async () => {
            let q = `bbox=${bboxParam(bbox)}&resolution=${resolution}`;
            if (kind) q += `&kind=${kind}`;
            if (days) q += `&since=${encodeURIComponent(isoDay(days[0]))}&until=${D0 + days[1] * DAY + 5}`;
            const { counts, body } = await heatmap(q);
            const expected = reference(merged, {
              bbox,
              resolution,
              ...(kind ? { kind } : {}),
              ...(days ? { days: [days[0], days[1]] } : {}),
            });
            expect(Object.keys(expected).length).toBeGreaterThan(0);
            expect(counts).toEqual(expected);
            expect(body.resolution).toBe(resolution);
            expect(body.range).toEqual(
              days
                ? { since: isoDay(days[0]), until: new Date(D0 + (days[1] + 1) * DAY - 1).toISOString() }
                : null,
            );
          });
        }
      }
    }
  }

  it("counts a MAC seen as two kinds once across kinds", async () => {
    const { counts } = await heatmap(`bbox=${bboxParam(ALL)}&resolution=5`);
    const total = Object.values(counts).reduce((s, c) => s + c.networks, 0);
    const perKind = await Promise.all(
      ["wifi", "ble", "bt"].map(
        async (k) => (await heatmap(`bbox=${bboxParam(ALL)}&resolution=5&kind=${k}`)).counts,
      ),
    );
    const sumPerKind = perKind.flatMap((c) => Object.values(c)).reduce((s, c) => s + c.networks, 0);
    // mac(1) is bt and ble; its sightings may sit in one or two cells at resolution 5.
    expect(sumPerKind).toBeGreaterThan(total);
    expect(total).toBe(
      Object.values(reference(merged, { bbox: ALL, resolution: 5 })).reduce((s, c) => s + c.networks, 0),
    );
  });

  it("answers RFC 7946 polygons: the cell's box as [lon, lat], counter-clockwise, closed", async () => {
    const { body } = await heatmap(`bbox=${bboxParam(PART)}&resolution=6`);
    for (const f of body.features) {
      expect(f.id).toBe(f.properties.cell);
      const [s, w, n, e] = ngeohash.decode_bbox(f.properties.cell);
      const ring = f.geometry.coordinates[0] ?? [];
      expect(ring).toEqual([
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ]);
      const area = ring.slice(0, -1).reduce((sum, [x1, y1], k) => {
        const [x2, y2] = ring[k + 1] ?? [0, 0];
        return sum + (x1 * y2 - x2 * y1);
      }, 0);
      expect(area).toBeGreaterThan(0);
    }
  });

  it("picks the finest resolution whose grid over the bbox stays within 10,000 cells", async () => {
    const at = async (b: string) => (await heatmap(`bbox=${b}`)).body.resolution;
    expect(await at("151.2,-33.8,151.21,-33.79")).toBe(7);
    expect(await at("151.1,-33.9,151.3,-33.7")).toBe(6);
    expect(await at("150,-35,153,-32")).toBe(5);
  });

  it("a range over more presence rows than the budget is refused, naming since", async () => {
    const query = parseHeatmapQuery(
      { bbox: bboxParam(ALL), since: String(D0), until: String(D0 + 3 * DAY) },
      Date.now(),
    );
    await expect(readHeatmap(cloud.db, query, 5)).rejects.toThrow(InvalidArgumentError);
    await expect(readHeatmap(cloud.db, query, 5)).rejects.toThrow(/"since"/);
    expect((await readHeatmap(cloud.db, query)).features.length).toBeGreaterThan(0);
  });
});

describe("heatmap reads", () => {
  it("seek the counters and the presence set by (day, cell range): no SCAN of a heatmap table", async () => {
    for (const params of [
      { bbox: bboxParam(PART) },
      { bbox: bboxParam(PART), since: String(D0), until: String(D0) },
      { bbox: bboxParam(ALL), since: String(D0), until: String(D0 + 3 * DAY), kind: "wifi" },
      { bbox: bboxParam(ALL), since: String(D0), until: String(D0 + 3 * DAY) },
    ]) {
      for (const statement of heatmapStatements(parseHeatmapQuery(params, Date.now()))) {
        const sql = typeof statement === "string" ? statement : statement.sql;
        const args = typeof statement === "string" ? [] : statement.args;
        const plan = await cloud.db.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args });
        const details = plan.rows.map((r) => String(r.detail));
        expect(
          details.filter((d) => /^SCAN (c|h)\b/.test(d)),
          details.join("\n"),
        ).toEqual([]);
        expect(
          details.some((d) => /^SEARCH (c|h) USING .*cell>\? AND cell<\?/.test(d)),
          details.join("\n"),
        ).toBe(true);
      }
    }
  });
});

describe("GET /v1/stats/daily against the reference", () => {
  it("per UTC day: sightings, transmitters first seen that day fleet-wide, active devices; empty days zero", async () => {
    const res = await get(`/v1/stats/daily?since=${D0 - 2 * DAY}&until=${encodeURIComponent(isoDay(5))}`);
    expect(res.status).toBe(200);
    const body = dailyStatsResponseSchema.parse(await res.json());
    const firstDay = new Map<string, number>();
    for (const { o } of merged)
      firstDay.set(o.mac, Math.min(firstDay.get(o.mac) ?? Infinity, Math.floor((o.seenAt - D0) / DAY)));
    const expected = range(-2, 6).map((d) => {
      const rows = merged.filter(({ o }) => Math.floor((o.seenAt - D0) / DAY) === d);
      return {
        day: isoDay(d).slice(0, 10),
        observations: rows.length,
        newTransmitters: [...firstDay.values()].filter((f) => f === d).length,
        activeDevices: new Set(rows.map((r) => r.deviceId)).size,
      };
    });
    expect(body.days).toEqual(expected);
    expect(body.days[2]?.newTransmitters).toBeGreaterThan(0); // day 0: the late device's networks
    expect(body.days[0]).toEqual({
      day: isoDay(-2).slice(0, 10),
      observations: 0,
      newTransmitters: 0,
      activeDevices: 0,
    });
    expect([body.since, body.until]).toEqual([isoDay(-2), new Date(D0 + 6 * DAY - 1).toISOString()]);
  });
});

const COUNTED_TABLES = {
  heatmap_cells: "precision, kind, day, cell",
  heatmap_cell_totals: "precision, kind, cell",
  heatmap_presence: "mac, day, cell, kind",
  heatmap_presence_ever: "mac, cell, kind",
  daily_device_activity: "day, device_id",
  daily_new_transmitters: "day",
};

describe("replay and concurrency", () => {
  const TABLES = COUNTED_TABLES;
  const dump = async () =>
    Promise.all(
      Object.entries(TABLES).map(async ([t, key]) =>
        JSON.stringify((await cloud.db.execute(`SELECT * FROM ${t} ORDER BY ${key}`)).rows),
      ),
    );

  it("a replayed batch (the same sightings under another batch key) changes nothing", async () => {
    const before = await dump();
    expect(before.every((t) => t !== "[]")).toBe(true);
    const first = merged.filter((m) => m.deviceId === "dev-a").map((m) => m.o);
    await landAndMerge(cloud.db, { deviceId: "dev-a", batchSeq: 1000 }, first);
    expect(await dump()).toEqual(before);
  });

  it("reads while a worker process merges see one merge's state or the next, never a torn one", async () => {
    const device = await createDevice(cloud.db, { name: "pi-d" });
    const worker = spawn(
      process.execPath,
      [CLI, "worker", "--db", cloud.path, "--queue-prefix", cloud.prefix, "--concurrency", "1"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PIWARDRIVE_METRICS: "off" } },
    );
    let output = "";
    worker.stdout?.on("data", (d: Buffer) => {
      output += d.toString("utf8");
    });
    worker.stderr?.on("data", (d: Buffer) => {
      output += d.toString("utf8");
    });
    try {
      const batches = [drive(range(0, 64), [4]), drive(range(10, 50), [4, 5]), drive(range(40, 64), [5])];
      const q = { bbox: ALL, resolution: 6, days: [3, 5] as [number, number] };
      const states = [reference(merged, q)];
      let rows = [...merged];
      for (const b of batches) {
        rows = [...rows, ...b.map((o) => ({ o, deviceId: device.id }))];
        states.push(reference(rows, q));
      }
      for (const [i, b] of batches.entries()) {
        const res = await postBatch(
          cloud.app,
          device.token,
          makeBatch({ deviceId: device.id, batchSeq: i }, b),
        );
        expect(res.status, await res.clone().text()).toBe(202);
      }
      const landed = async () =>
        Number(
          (
            await cloud.db.execute({
              sql: "SELECT count(*) AS n FROM landed_batches WHERE device_id = ? AND status = 'merged'",
              args: [device.id],
            })
          ).rows[0]?.n,
        );
      const seen: number[] = [];
      const query = `bbox=${bboxParam(ALL)}&resolution=6&since=${D0 + 3 * DAY}&until=${D0 + 5 * DAY}`;
      const deadline = Date.now() + 30_000;
      while ((await landed()) < batches.length) {
        expect(Date.now() < deadline, output).toBe(true);
        const { counts } = await heatmap(query);
        const k = states.findIndex((s) => JSON.stringify(sortKeys(s)) === JSON.stringify(sortKeys(counts)));
        expect(k, "an answer matching no merged state").toBeGreaterThanOrEqual(0);
        seen.push(k);
      }
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect((await heatmap(query)).counts).toEqual(states.at(-1));
      merged.push(...batches.flat().map((o) => ({ o, deviceId: device.id })));
    } finally {
      worker.kill("SIGTERM");
      await once(worker, "exit");
    }
  }, 60_000);
});

describe("forgetting a load test's devices", () => {
  it("takes back exactly what they added to cells and days, leaving real data in the same cells as it was", async () => {
    const dump = async () =>
      Promise.all(
        Object.entries(COUNTED_TABLES).map(async ([t, key]) =>
          JSON.stringify((await cloud.db.execute(`SELECT * FROM ${t} ORDER BY ${key}`)).rows),
        ),
      );
    const before = await dump();
    // Simulated devices with a MAC prefix of their own, in the cells and on the days of the real data.
    const ids = ["lt-1", "lt-2"];
    for (const [n, deviceId] of ids.entries()) {
      const rows = drive(range(0, 64), [2, 3, 6]).map((o, i) => ({
        ...o,
        mac: `0a:1d:7e:00:${(i % 40).toString(16).padStart(2, "0")}:0${n}`,
      }));
      await landAndMerge(cloud.db, { deviceId, batchSeq: 0 }, rows);
    }
    expect(await dump()).not.toEqual(before);
    const statements = await forgetCellsAndDays(cloud.db, { deviceIds: ids, macPrefix: "0a:1d:7e" });
    await cloud.db.batch(
      [
        ...statements,
        { sql: "DELETE FROM observations WHERE device_id IN ('lt-1', 'lt-2')", args: [] },
        "DELETE FROM networks WHERE mac LIKE '0a:1d:7e:%'",
      ],
      "write",
    );
    expect(await dump()).toEqual(before);
  });
});

const sortKeys = (c: Counts) => Object.fromEntries(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1)));

describe("bad input and roles", () => {
  const b = bboxParam(PART);
  const cases: [string, string][] = [
    ["/v1/heatmap", "bbox"],
    ["/v1/heatmap?bbox=1,2,3", "bbox"],
    ["/v1/heatmap?bbox=10,0,5,1", "bbox"],
    ["/v1/heatmap?bbox=0,-91,1,1", "bbox"],
    ["/v1/heatmap?bbox=-10,-10,10,10", "bbox"],
    [`/v1/heatmap?bbox=${b}&resolution=8`, "resolution"],
    [`/v1/heatmap?bbox=${b}&resolution=six`, "resolution"],
    ["/v1/heatmap?bbox=150,-35,153,-32&resolution=7", "resolution"],
    [`/v1/heatmap?bbox=${b}&kind=wifi,ble`, "kind"],
    [`/v1/heatmap?bbox=${b}&kind=radio`, "kind"],
    [`/v1/heatmap?bbox=${b}&since=yesterday`, "since"],
    [`/v1/heatmap?bbox=${b}&since=2026-02-01&until=2026-01-01`, "until"],
    [`/v1/heatmap?bbox=${b}&until=2026-01-01T00:00:00Z`, "since"],
    [`/v1/heatmap?bbox=${b}&since=2024-01-01&until=2025-06-01`, "since"],
    [`/v1/heatmap?bbox=${b}&zoom=3`, "zoom"],
    [`/v1/heatmap?bbox=${b}&bbox=${b}`, "bbox"],
    ["/v1/stats/daily?since=soon", "since"],
    ["/v1/stats/daily?since=2026-02-01&until=2026-01-01", "until"],
    ["/v1/stats/daily?since=2024-01-01&until=2025-06-01", "since"],
    ["/v1/stats/daily?day=1", "day"],
  ];
  for (const [path, parameter] of cases) {
    it(`${path} -> 400 (${parameter})`, async () => {
      const error = await expectError(await get(path), 400, "invalid_argument");
      expect(error.message).toContain(`"${parameter}"`);
    });
  }

  it("401 without a key or with a device token; 200 for analyst, operator and admin", async () => {
    const paths = [`/v1/heatmap?bbox=${b}`, "/v1/stats/daily"];
    const device = await createDevice(cloud.db, { name: "pi" });
    for (const path of paths) {
      await expectError(await fetch(`${server.url}${path}`), 401, "unauthorized");
      await expectError(await get(path, `Bearer ${device.token}`), 401, "unauthorized");
    }
    for (const role of ["analyst", "operator", "admin"] as const) {
      const { key } = await createApiKey(cloud.db, { role });
      for (const path of paths) expect((await get(path, `Bearer ${key}`)).status).toBe(200);
    }
  });

  it("the default daily range is the 30 days ending today", async () => {
    const body = dailyStatsResponseSchema.parse(await (await get("/v1/stats/daily")).json());
    expect(body.days.length).toBe(30);
    expect(body.days.at(-1)?.day).toBe(new Date().toISOString().slice(0, 10));
  });
});
