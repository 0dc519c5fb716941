import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../server.js";
import { createApiKey } from "../../services/api-keys.js";
import { FLEET_T0, fleetMac, fleetSighting, prng } from "../../test-support/fleet-fixture.js";
import { landAndMerge, wigleDriveSightings } from "../../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../../test-support/test-cloud.js";
import { networkSearchResponseSchema, observationPageResponseSchema } from "./schema.js";

/*
 * GET /v1/export takes the filters of GET /v1/networks (what=networks) and GET /v1/observations
 * (what=observations) with the same meaning: for every filter, the export holds exactly what the search
 * route gives walked to the end, and a bad value gets the search route's own 400. A real server on a
 * real port, a real database: the real WiGLE fixture drive plus a constructed fleet whose networks differ
 * in every filtered field.
 */

const DAY = 86_400_000;
let cloud: TestCloud;
let server: RunningServer;
let auth: string;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

beforeAll(async () => {
  cloud = await openTestCloud();
  server = await startServer({ app: cloud.app, port: 0 });
  auth = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
  const random = prng(11);
  let seq = 1;
  let batchSeq = 0;
  const drive = (deviceId: string, ids: number[], day: number) =>
    landAndMerge(
      cloud.db,
      { deviceId, batchSeq: batchSeq++ },
      ids.map((i, k) => fleetSighting(seq++, i, FLEET_T0 + day * DAY + k * 1000, random)),
      FLEET_T0 + (10 + day) * DAY,
    );
  await drive("dev-a", range(0, 60), 0);
  await drive("dev-b", range(20, 80), 1);
  await drive("dev-c", [...range(0, 30), ...range(0, 30)], 2);
  for (let d = 3; d < 9; d++) await drive("dev-a", range(0, 12), d);
  await landAndMerge(cloud.db, { deviceId: "dev-w", runId: "wigle" }, wigleDriveSightings(), FLEET_T0);
  return async () => {
    await server.close();
    await cloud.cleanup();
  };
});
afterAll(() => undefined);

const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: auth } });

async function walk<T>(path: string, read: (body: unknown) => { items: T[]; next: string | null }) {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 500; page++) {
    const res = await get(
      `${path}${path.includes("?") ? "&" : "?"}limit=50${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const { items: got, next } = read(await res.json());
    items.push(...got);
    cursor = next;
    if (cursor === null) return items;
  }
  throw new Error("did not reach the end");
}

async function exported(
  query: string,
): Promise<{ properties: Record<string, unknown>; geometry: unknown }[]> {
  const res = await get(`/v1/export?format=geojson&${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return JSON.parse(await res.text()).features;
}

const searchedMacs = (query: string) =>
  walk(`/v1/networks?${query}`, (body) => {
    const page = networkSearchResponseSchema.parse(body);
    return { items: page.networks.map((n) => n.mac), next: page.nextCursor };
  });

/** A sighting as both answers carry it. */
const key = (o: {
  deviceId: unknown;
  mac: unknown;
  seenAt: unknown;
  rssiDbm: unknown;
  lat: unknown;
  lon: unknown;
}) => `${o.deviceId}|${o.mac}|${o.seenAt}|${o.rssiDbm}|${o.lat}|${o.lon}`;

const searchedSightings = (query: string) =>
  walk(`/v1/observations?${query}`, (body) => {
    const page = observationPageResponseSchema.parse(body);
    return { items: page.observations.map(key), next: page.nextCursor };
  });

async function exportedSightings(query: string): Promise<string[]> {
  return (await exported(`what=observations&${query}`)).map((f) => {
    const position = (f.geometry as { coordinates: number[] } | null)?.coordinates;
    const p = f.properties;
    return key({
      deviceId: p.deviceId,
      mac: p.mac,
      seenAt: p.seenAt,
      rssiDbm: p.rssiDbm,
      lon: position?.[0] ?? null,
      lat: position?.[1] ?? null,
    });
  });
}

const sort = (a: string[]) => [...a].sort();
const FLEET_BOX = "151.2,-33.8,151.235,-33.75";
const WIGLE_BOX = "35.2,32.1,35.21,32.11";

const NETWORK_CASES = [
  `bbox=${FLEET_BOX}`,
  `bbox=${WIGLE_BOX}`,
  `since=${new Date(FLEET_T0 + 2 * DAY).toISOString()}`,
  `until=${FLEET_T0 + 2 * DAY}`,
  `since=${FLEET_T0 + DAY}&until=${FLEET_T0 + 3 * DAY}`,
  "ssid=Cafe-3",
  "ssid=Banot",
  "ssidPrefix=shop%201",
  "q=AFE",
  "auth=wpa2,wep",
  "auth=open",
  "kind=ble",
  "kind=gsm,ble",
  "band=5",
  "band=2.4,6",
  "channel=36",
  "vendor=cisco",
  "device=dev-c",
  "device=dev-w",
  "minRssi=-50",
  "minConfidence=3",
  `changedSince=${FLEET_T0 + 12 * DAY}`,
  "kind=wifi&minConfidence=2&auth=wpa2",
];

const OBSERVATION_CASES = [
  `bbox=${FLEET_BOX}`,
  `bbox=${WIGLE_BOX}`,
  `since=${new Date(FLEET_T0 + 2 * DAY).toISOString()}`,
  `until=${FLEET_T0 + 2 * DAY + 5000}`,
  `since=${FLEET_T0 + DAY}&until=${FLEET_T0 + 3 * DAY}`,
  "device=dev-b",
  "device=dev-w",
  `mac=${fleetMac(3)}`,
  `mac=${fleetMac(3).toUpperCase().replaceAll(":", "-")}`,
  "kind=ble",
  "kind=gsm,ble",
  `kind=wifi&device=dev-a&since=${FLEET_T0 + 4 * DAY}&bbox=${FLEET_BOX}`,
];

describe("GET /v1/export?what=networks: the filters of GET /v1/networks", () => {
  it("exports every network without a filter", async () => {
    const all = await searchedMacs("");
    expect(all.length).toBeGreaterThan(80);
    expect(sort((await exported("what=networks")).map((f) => String(f.properties.mac)))).toEqual(sort(all));
  });

  for (const query of NETWORK_CASES) {
    it(`${decodeURIComponent(query)}: the same networks as the search walked to the end`, async () => {
      const all = await searchedMacs("");
      const expected = await searchedMacs(query);
      // The constructed rows separate the filter: it keeps some networks and drops others.
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(all.length);
      const got = (await exported(`what=networks&${query}`)).map((f) => String(f.properties.mac));
      expect(sort(got)).toEqual(sort(expected));
    });
  }
});

describe("GET /v1/export?what=observations: the filters of GET /v1/observations", () => {
  it("exports every sighting without a filter", async () => {
    const all = await searchedSightings("");
    expect(all.length).toBe(60 + 60 + 60 + 6 * 12 + 17);
    expect(sort(await exportedSightings(""))).toEqual(sort(all));
  });

  for (const query of OBSERVATION_CASES) {
    it(`${decodeURIComponent(query)}: the same sightings as the search walked to the end`, async () => {
      const all = await searchedSightings("");
      const expected = await searchedSightings(query);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(all.length);
      expect(sort(await exportedSightings(query))).toEqual(sort(expected));
    });
  }
});

async function errorOf(path: string): Promise<{ status: number; message: string }> {
  const res = await get(path);
  const body = (await res.json()) as { error?: { code: string; message: string } };
  expect(body.error?.code, path).toBe("invalid_argument");
  return { status: res.status, message: body.error?.message ?? "" };
}

describe("bad filters", () => {
  const NETWORK_BAD: [string, string][] = [
    ["bbox", "1,2,3"],
    ["bbox", "10,0,5,1"],
    ["since", "yesterday"],
    ["until", "2026-13-45"],
    ["ssid", ""],
    ["ssid", "x".repeat(33)],
    ["ssidPrefix", ""],
    ["q", "a"],
    ["auth", "rot13"],
    ["kind", "cat"],
    ["band", "7"],
    ["channel", "0"],
    ["channel", "six"],
    ["vendor", ""],
    ["device", "d".repeat(129)],
    ["minRssi", "5"],
    ["minConfidence", "8"],
    ["changedSince", "soon"],
  ];
  it("a bad network filter: the 400 of GET /v1/networks, naming the parameter", async () => {
    for (const [name, value] of NETWORK_BAD) {
      const q = `${name}=${encodeURIComponent(value)}`;
      const search = await errorOf(`/v1/networks?${q}`);
      const exportError = await errorOf(`/v1/export?format=csv&what=networks&${q}`);
      expect(exportError.status, q).toBe(400);
      expect(exportError.message, q).toBe(search.message);
      expect(exportError.message, q).toContain(`parameter "${name}"`);
    }
    const inverted = `since=${FLEET_T0 + 10}&until=${FLEET_T0}`;
    expect((await errorOf(`/v1/export?format=csv&what=networks&${inverted}`)).message).toBe(
      (await errorOf(`/v1/networks?${inverted}`)).message,
    );
  });

  const OBSERVATION_BAD: [string, string][] = [
    ["bbox", "1,2,3,x"],
    ["since", "1 Jan"],
    ["until", "later"],
    ["device", ""],
    ["mac", "<script>"],
    ["kind", "wifi,cat"],
  ];
  it("a bad sighting filter: the 400 of GET /v1/observations, naming the parameter", async () => {
    for (const [name, value] of OBSERVATION_BAD) {
      const q = `${name}=${encodeURIComponent(value)}`;
      const search = await errorOf(`/v1/observations?${q}`);
      const exportError = await errorOf(`/v1/export?format=csv&${q}`);
      expect(exportError.status, q).toBe(400);
      expect(exportError.message, q).toBe(search.message);
      expect(exportError.message, q).toContain(`parameter "${name}"`);
    }
  });

  it("an unknown parameter, a paging parameter or the other resource's filter: 400 naming it", async () => {
    for (const [query, name] of [
      ["format=csv&colour=red", "colour"],
      ["format=csv&what=networks&sort=-rssi", "sort"],
      ["format=csv&what=networks&limit=5", "limit"],
      ["format=csv&cursor=abc", "cursor"],
      ["format=csv&what=observations&ssid=x", "ssid"],
      ["format=csv&minConfidence=3", "minConfidence"],
      ["format=csv&what=networks&mac=aa:bb:cc:dd:ee:ff", "mac"],
      ["format=csv&kind=wifi&kind=ble", "kind"],
    ] as const) {
      const { status, message } = await errorOf(`/v1/export?${query}`);
      expect(status, query).toBe(400);
      expect(message, query).toContain(`parameter "${name}"`);
    }
  });
});
