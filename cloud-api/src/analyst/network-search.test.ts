import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { networkSearchResponseSchema } from "../routes/analyst/schema.js";
import { createApiKey } from "../services/api-keys.js";
import {
  FLEET_T0,
  fleetSighting,
  type Merged,
  prng,
  type ReferenceNetwork,
  referenceNetworks,
} from "../test-support/fleet-fixture.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { parseNetworkQuery } from "./network-filters.js";
import { indexedFilters, prefixUpperBound, type SearchOptions, searchNetworks } from "./network-search.js";

const DAY = 86_400_000;
let cloud: TestCloud;
let auth: string;
let merged: Merged[];
let batchSeq = 0;
let seq = 1;
const random = prng(7);

/** Merges sightings of networks `ids` for a device at a day offset, remembering them for the reference. */
async function drive(deviceId: string, ids: number[], day: number, mergedAt: number): Promise<void> {
  const rows = ids.map((i, k) => ({
    observation: fleetSighting(
      seq++,
      i,
      FLEET_T0 + day * DAY + k * 1000 + Math.floor(random() * 500),
      random,
    ),
    deviceId,
    mergedAt,
  }));
  await landAndMerge(
    cloud.db,
    { deviceId, batchSeq: batchSeq++ },
    rows.map((r) => r.observation),
    mergedAt,
  );
  merged.push(...rows);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

beforeAll(async () => {
  cloud = await openTestCloud();
  merged = [];
  auth = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
  await drive("dev-a", range(0, 60), 0, FLEET_T0 + 10 * DAY);
  await drive("dev-b", range(20, 80), 1, FLEET_T0 + 11 * DAY);
  await drive("dev-c", [...range(0, 30), ...range(0, 30)], 2, FLEET_T0 + 12 * DAY);
  for (let d = 3; d < 9; d++) await drive("dev-a", range(0, 12), d, FLEET_T0 + (10 + d) * DAY);
  return () => cloud.cleanup();
});
afterEach(() => undefined);

type Sort = "-lastSeen" | "lastSeen" | "-rssi";
function sorted(nets: ReferenceNetwork[], sort: Sort): string[] {
  const cmp = (a: ReferenceNetwork, b: ReferenceNetwork) => {
    if (sort === "lastSeen") return a.lastSeen - b.lastSeen || (a.mac < b.mac ? -1 : 1);
    if (sort === "-lastSeen") return b.lastSeen - a.lastSeen || (a.mac < b.mac ? 1 : -1);
    return (b.bestRssi ?? -1e9) - (a.bestRssi ?? -1e9) || (a.mac < b.mac ? 1 : -1);
  };
  return [...nets].sort(cmp).map((n) => n.mac);
}

async function walk(query: string, limit = 7, between?: () => Promise<void>): Promise<string[]> {
  const macs: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 200; page++) {
    const q = `${query}${query ? "&" : ""}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await cloud.app.request(`/v1/networks?${q}`, { headers: { authorization: auth } });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = networkSearchResponseSchema.parse(await res.json());
    macs.push(...body.networks.map((n) => n.mac));
    cursor = body.nextCursor;
    if (cursor === null) return macs;
    await between?.();
  }
  throw new Error("did not reach the end");
}

const bbox = { minLon: 151.2, minLat: -33.8, maxLon: 151.235, maxLat: -33.75 };
const CASES: [string, (n: ReferenceNetwork) => boolean][] = [
  ["", () => true],
  [
    `bbox=${bbox.minLon},${bbox.minLat},${bbox.maxLon},${bbox.maxLat}`,
    (n) => n.lon >= bbox.minLon && n.lon <= bbox.maxLon && n.lat >= bbox.minLat && n.lat <= bbox.maxLat,
  ],
  [`since=${new Date(FLEET_T0 + 2 * DAY).toISOString()}`, (n) => n.lastSeen >= FLEET_T0 + 2 * DAY],
  [`until=${FLEET_T0 + 2 * DAY}`, (n) => n.lastSeen <= FLEET_T0 + 2 * DAY],
  ["ssid=Cafe-3", (n) => n.ssid === "Cafe-3"],
  ["ssidPrefix=shop%201", (n) => n.ssid?.startsWith("shop 1") === true],
  ["q=AFE", (n) => n.ssid?.toLowerCase().includes("afe") === true],
  ["auth=wpa2,wep", (n) => n.authMode === "WPA2" || n.authMode === "WEP"],
  ["kind=ble", (n) => n.kind === "ble"],
  ["band=5", (n) => (n.frequencyMhz ?? 0) >= 4900 && (n.frequencyMhz ?? 0) <= 5900],
  ["band=2.4,6", (n) => (n.frequencyMhz ?? 0) < 2500 || (n.frequencyMhz ?? 0) > 5925],
  ["channel=36", (n) => n.channel === 36],
  ["vendor=cisco", (n) => n.vendor?.toLowerCase().includes("cisco") === true],
  ["device=dev-c", (n) => n.devices.has("dev-c")],
  ["minRssi=-50", (n) => (n.bestRssi ?? -999) >= -50],
  ["minConfidence=3", (n) => n.confidence >= 3],
  [`changedSince=${FLEET_T0 + 12 * DAY}`, (n) => n.updatedAt >= FLEET_T0 + 12 * DAY],
  [
    "kind=wifi&minConfidence=2&auth=wpa2",
    (n) => n.kind === "wifi" && n.confidence >= 2 && n.authMode === "WPA2",
  ],
];

describe("GET /v1/networks against a plain-JS reference", () => {
  for (const sort of ["-lastSeen", "lastSeen", "-rssi"] as const) {
    for (const [query, keep] of CASES) {
      it(`${query || "(no filter)"} sorted ${sort}`, async () => {
        const expected = sorted([...referenceNetworks(merged).values()].filter(keep), sort);
        expect(expected.length).toBeGreaterThan(0);
        const got = await walk(`${query}${query ? "&" : ""}sort=${sort}`);
        expect(got).toEqual(expected);
      });
    }
  }

  it("answers the documented network shape", async () => {
    const res = await cloud.app.request(`/v1/networks?ssid=Cafe-3&limit=1`, {
      headers: { authorization: auth },
    });
    const body = networkSearchResponseSchema.parse(await res.json());
    const n = body.networks[0];
    const ref = referenceNetworks(merged).get(n?.mac ?? "");
    expect(n?.location?.lat).toBeCloseTo(ref?.lat ?? 0, 9);
    expect(n?.location?.confidence).toBe(ref?.confidence);
    expect(n?.lastSeen).toBe(new Date(ref?.lastSeen ?? 0).toISOString());
    expect(n?.bestRssiDbm).toBe(ref?.bestRssi);
  });
});

describe("paging while batches merge", () => {
  for (const [sort, query, fresh] of [
    ["-lastSeen", "", 200],
    ["-rssi", "kind=wifi", 300],
    ["lastSeen", "ssidPrefix=shop", 400],
  ] as const) {
    it(`walks ${sort} ${query} to the end: exactly the networks that matched at the first page`, async () => {
      const keep = CASES.find(([q]) => q === query)?.[1] ?? ((n: ReferenceNetwork) => n.kind === "wifi");
      const prefixKeep =
        query === "ssidPrefix=shop" ? (n: ReferenceNetwork) => n.ssid?.startsWith("shop") === true : keep;
      const expected = sorted([...referenceNetworks(merged).values()].filter(prefixKeep), sort);
      let round = 0;
      const got = await walk(`${query}${query ? "&" : ""}sort=${sort}`, 5, async () => {
        // Every merge moves sort keys: old networks seen again (newer, some stronger), new ones appear.
        round++;
        const ids = [...range(round * 3, round * 3 + 6), ...range(fresh + round * 4, fresh + 4 + round * 4)];
        await drive(round % 2 ? "dev-b" : "dev-d", ids, 20 + round, FLEET_T0 + (30 + round) * DAY);
      });
      expect(round).toBeGreaterThan(3);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(expected);
      // And a fresh walk now sees the new state (including the new networks).
      const now = sorted([...referenceNetworks(merged).values()].filter(prefixKeep), sort);
      expect(await walk(`${query}${query ? "&" : ""}sort=${sort}`, 50)).toEqual(now);
      // The merges did change the answer: new networks and moved sort keys.
      expect(now.some((m) => !expected.includes(m))).toBe(true);
      expect(now.filter((m) => expected.includes(m))).not.toEqual(expected);
    });
  }
});

/** The service without HTTP, with chosen access paths and scan budget. */
async function walkWith(query: string, options: SearchOptions, limit = 4, between?: () => Promise<void>) {
  const macs: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 2000; page++) {
    const params = Object.fromEntries(new URLSearchParams(query));
    const q = parseNetworkQuery({ ...params, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const body = await searchNetworks(cloud.db, q, options);
    macs.push(...body.networks.map((n) => n.mac));
    if (body.nextCursor === null) return macs;
    cursor = body.nextCursor;
    await between?.();
  }
  throw new Error("did not reach the end");
}

describe("every access path answers the same", () => {
  const indexed = CASES.filter(([q]) => /^(bbox|ssid|ssidPrefix)=/.test(q));
  const combined: [string, (n: ReferenceNetwork) => boolean][] = indexed.flatMap(([q, keep]) => [
    [q, keep],
    [`${q}&kind=wifi`, (n: ReferenceNetwork) => keep(n) && n.kind === "wifi"],
    [`${q}&since=${FLEET_T0 + DAY}`, (n: ReferenceNetwork) => keep(n) && n.lastSeen >= FLEET_T0 + DAY],
  ]);
  for (const sort of ["-lastSeen", "lastSeen", "-rssi"] as const) {
    for (const [query, keep] of combined) {
      it(`${query} sorted ${sort}`, async () => {
        const filters = parseNetworkQuery(Object.fromEntries(new URLSearchParams(query))).filters;
        expect(filters.bbox !== undefined || indexedFilters(filters).length > 0).toBe(true);
        const expected = sorted([...referenceNetworks(merged).values()].filter(keep), sort);
        expect(expected.length).toBeGreaterThan(0);
        const q = `${query}&sort=${sort}`;
        expect(await walkWith(q, {})).toEqual(expected);
        expect(await walkWith(q, { paths: ["index", "walk"] })).toEqual(expected);
        expect(await walkWith(q, { paths: ["cells", "walk"] })).toEqual(expected);
        // A walk of 3 rows a page, continuing after them.
        expect(await walkWith(q, { paths: ["walk"], budget: 3 })).toEqual(expected);
      });
    }
  }

  it("a budgeted walk while batches merge: exactly the networks that matched at the first page", async () => {
    const keep = (n: ReferenceNetwork) =>
      n.lon >= bbox.minLon && n.lon <= bbox.maxLon && n.lat >= bbox.minLat && n.lat <= bbox.maxLat;
    const query = `bbox=${bbox.minLon},${bbox.minLat},${bbox.maxLon},${bbox.maxLat}&sort=-lastSeen`;
    const expected = sorted([...referenceNetworks(merged).values()].filter(keep), "-lastSeen");
    let round = 0;
    const got = await walkWith(query, { paths: ["walk"], budget: 7 }, 3, async () => {
      round++;
      if (round % 4 !== 0) return;
      await drive(
        "dev-e",
        [...range(round, round + 8), ...range(600 + round, 604 + round)],
        40 + round,
        FLEET_T0 + (60 + round) * DAY,
      );
    });
    expect(round).toBeGreaterThan(8);
    expect(got).toEqual(expected);
  });

  it("the cells of a bbox while batches merge: exactly the networks that matched at the first page", async () => {
    const keep = (n: ReferenceNetwork) =>
      n.lon >= bbox.minLon && n.lon <= bbox.maxLon && n.lat >= bbox.minLat && n.lat <= bbox.maxLat;
    const query = `bbox=${bbox.minLon},${bbox.minLat},${bbox.maxLon},${bbox.maxLat}&sort=lastSeen`;
    const expected = sorted([...referenceNetworks(merged).values()].filter(keep), "lastSeen");
    let round = 0;
    const got = await walkWith(query, { paths: ["cells"] }, 2, async () => {
      round++;
      if (round % 2 !== 0) return;
      await drive(
        "dev-f",
        [...range(round, round + 8), ...range(700 + round, 704 + round)],
        50 + round,
        FLEET_T0 + (70 + round) * DAY,
      );
    });
    expect(round).toBeGreaterThan(6);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(expected);
  });
});

describe("prefixUpperBound", () => {
  it("is the least string above every string with the prefix", () => {
    expect(prefixUpperBound("abc")).toBe("abd");
    expect(prefixUpperBound("a\u{10FFFF}")).toBe("b");
    expect(prefixUpperBound("\u{10FFFF}")).toBeUndefined();
    expect(prefixUpperBound("x\uD7FF")).toBe("x\uE000");
    const enc = (s: string) => Buffer.from(s, "utf8");
    for (const p of ["shop", "\u007F", "caf\u00E9", "\u{1F600}"]) {
      const upper = prefixUpperBound(p) ?? "";
      for (const tail of ["", "\0", "z", "\u{10FFFF}\u{10FFFF}"]) {
        expect(Buffer.compare(enc(p + tail), enc(upper))).toBe(-1);
      }
    }
  });
});
