import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchNetworks } from "../../analyst/network-search.js";
import { observationPageSql, searchObservations } from "../../analyst/observation-search.js";
import { createApiKey } from "../../services/api-keys.js";
import { createDevice } from "../../services/devices.js";
import { expectError } from "../../test-support/expect-error.js";
import { landAndMerge, wigleDriveSightings } from "../../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../../test-support/test-cloud.js";
import { networkDetailResponseSchema, observationPageResponseSchema } from "./schema.js";

let cloud: TestCloud;
let analyst: string;
let deviceId: string;
const BANOT = "a0:4f:d4:3b:fb:a1";

beforeAll(async () => {
  cloud = await openTestCloud();
  analyst = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
  deviceId = (await createDevice(cloud.db, { name: "pi-<script>" })).id;
  await landAndMerge(cloud.db, { deviceId, batchSeq: 0 }, wigleDriveSightings());
  await landAndMerge(cloud.db, { deviceId: "dev-b", batchSeq: 0 }, wigleDriveSightings(86_400_000, 1));
});
afterAll(() => cloud.cleanup());

const get = (path: string, authorization = analyst) =>
  cloud.app.request(path, { headers: { authorization } });

describe("analyst routes: roles", () => {
  it("401 without a key, 403 for a device token, 200 for analyst, operator and admin", async () => {
    await expectError(await cloud.app.request("/v1/networks"), 401, "unauthorized");
    await expectError(await get("/v1/observations", "Bearer nope"), 401, "unauthorized");
    for (const role of ["analyst", "operator", "admin"] as const) {
      const { key } = await createApiKey(cloud.db, { role });
      for (const path of [
        "/v1/networks",
        `/v1/networks/${BANOT}`,
        `/v1/networks/${BANOT}/observations`,
        "/v1/observations",
      ]) {
        expect((await get(path, `Bearer ${key}`)).status).toBe(200);
      }
    }
  });
});

describe("analyst routes: bad input is a 400 naming the parameter", () => {
  const cases: [string, string][] = [
    ["/v1/networks?colour=red", "colour"],
    ["/v1/networks?bbox=1,2,3", "bbox"],
    ["/v1/networks?bbox=10,0,5,1", "bbox"],
    ["/v1/networks?bbox=a,b,c,d", "bbox"],
    ["/v1/networks?limit=1001", "limit"],
    ["/v1/networks?limit=0", "limit"],
    ["/v1/networks?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"],
    ["/v1/networks?since=yesterday", "since"],
    ["/v1/networks?cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["/v1/networks?cursor=%25%25", "cursor"],
    ["/v1/networks?sort=ssid", "sort"],
    ["/v1/networks?auth=wpa9", "auth"],
    ["/v1/networks?minConfidence=8", "minConfidence"],
    ["/v1/networks?ssid=a&ssid=b", "ssid"],
    ["/v1/observations?limit=5000", "limit"],
    ["/v1/observations?until=1&since=2", "until"],
    ["/v1/observations?mac=not%20a%20mac!", "mac"],
    [`/v1/networks/${BANOT}/observations?mac=${BANOT}`, "mac"],
    ["/v1/networks/bad%20mac%3C", "mac"],
  ];
  for (const [path, parameter] of cases) {
    it(`${path} -> 400 (${parameter})`, async () => {
      const error = await expectError(await get(path), 400, "invalid_argument");
      expect(error.message).toContain(`"${parameter}"`);
    });
  }

  it("a cursor from another query is refused", async () => {
    const first = (await (await get("/v1/networks?limit=1")).json()) as { nextCursor: string };
    await expectError(
      await get(`/v1/networks?limit=1&kind=wifi&cursor=${first.nextCursor}`),
      400,
      "invalid_argument",
    );
  });
});

describe("GET /v1/networks/{mac}", () => {
  it("answers the network, its SSID history and devices with observation counts", async () => {
    const res = await get(`/v1/networks/${BANOT.toUpperCase()}`);
    const body = networkDetailResponseSchema.parse(await res.json());
    expect(body.network.mac).toBe(BANOT);
    expect(body.network.observationCount).toBe(4);
    expect(body.ssidHistory).toEqual([
      {
        ssid: "Banot",
        authMode: "WPA2",
        channel: 1,
        firstSeen: "2017-10-29T18:21:43.000Z",
        lastSeen: "2017-10-30T18:23:50.000Z",
        count: 4,
      },
    ]);
    expect(body.devices.map((d) => [d.deviceId, d.name, d.observations]).sort()).toEqual(
      [
        [deviceId, "pi-<script>", 2],
        ["dev-b", null, 2],
      ].sort(),
    );
  });

  it("404 for an unknown MAC", async () => {
    await expectError(await get("/v1/networks/00:11:22:33:44:55"), 404, "not_found");
  });
});

describe("observations", () => {
  it("walks one transmitter's sightings in key order", async () => {
    const res = await get(`/v1/networks/${BANOT}/observations?limit=3`);
    const body = observationPageResponseSchema.parse(await res.json());
    expect(body.observations.map((o) => o.rssiDbm)).toEqual([-45, -40, -45]);
    const rest = observationPageResponseSchema.parse(
      await (await get(`/v1/networks/${BANOT}/observations?limit=3&cursor=${body.nextCursor}`)).json(),
    );
    expect([rest.observations.length, rest.nextCursor]).toEqual([1, null]);
  });

  it("filters by bbox, time, device and kind, paged to the end", async () => {
    const all = wigleDriveSightings();
    const since = Date.parse("2017-10-29T18:22:00Z");
    const expected = all.filter((o) => o.kind === "wifi" && o.seenAt >= since).length;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q = `kind=wifi&device=${deviceId}&since=${since}&bbox=35,32,36,33&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const body = observationPageResponseSchema.parse(await (await get(`/v1/observations?${q}`)).json());
      seen.push(...body.observations.map((o) => `${o.seq}`));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(seen.length).toBe(expected);
    expect(new Set(seen).size).toBe(expected);
  });

  it("indexes serve the filters: no SCAN of observations", async () => {
    for (const filters of [
      { mac: BANOT },
      { since: 1, until: 2 },
      { device: "x" },
      {},
      { mac: BANOT, since: 5 },
    ]) {
      const { hits, edge } = observationPageSql(filters, [1, "a", "b", 1], 10);
      for (const statement of [hits, edge]) {
        const plan = await cloud.db.execute({
          sql: `EXPLAIN QUERY PLAN ${statement.sql}`,
          args: statement.args,
        });
        const details = plan.rows.map((r) => String(r.detail));
        // No full scan, and the key walk stays the outer loop (not all of one device's rows by device_id).
        const bad = details.filter((d) =>
          /^SCAN (o|observations)\b|^SEARCH o USING INDEX \S+ \(device_id=\?\)$/.test(d),
        );
        expect(bad, details.join("\n")).toEqual([]);
      }
    }
  });

  it("a page that used up its scan budget answers what it found and a continuation cursor", async () => {
    // The GSM cell is 1 sighting of 17 per drive: with 3 keys per page, most pages are empty but continue.
    const macs: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = { filters: { kind: ["gsm"] }, limit: 10, ...(cursor ? { cursor } : {}) };
      const page = await searchObservations(cloud.db, query, 3);
      macs.push(...page.observations.map((o) => o.mac));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(macs).toEqual(["42501_7211_3084803", "42501_7211_3084803"]);
    expect(pages).toBeGreaterThanOrEqual(12);
  });

  it("the network search's scan budget also continues instead of scanning on", async () => {
    const macs: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = {
        filters: { kind: ["gsm"] },
        sort: "-lastSeen" as const,
        limit: 10,
        ...(cursor ? { cursor } : {}),
      };
      const page = await searchNetworks(cloud.db, query, { budget: 2 });
      macs.push(...page.networks.map((n) => n.mac));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(macs).toEqual(["42501_7211_3084803"]);
    expect(pages).toBeGreaterThanOrEqual(7);
  });
});

describe("rate limit", () => {
  it("429 with Retry-After once a key is over its budget", async () => {
    const limited = await openTestCloud();
    try {
      const { createApp } = await import("../../app.js");
      const app = createApp({ ...limited.deps, analystPerMinute: 2 });
      const key = `Bearer ${(await createApiKey(limited.db, { role: "analyst" })).key}`;
      const call = () => app.request("/v1/networks", { headers: { authorization: key } });
      expect([(await call()).status, (await call()).status]).toEqual([200, 200]);
      const res = await call();
      await expectError(res, 429, "rate_limited");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.cleanup();
    }
  });
});
