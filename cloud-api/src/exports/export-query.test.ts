import type { Client } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type NETWORK_FILTER_PARAMS, parseNetworkFilters } from "../analyst/network-filters.js";
import { type OBSERVATION_FILTER_PARAMS, parseObservationFilters } from "../analyst/observation-filters.js";
import { sighting } from "../test-support/batches.js";
import { FLEET_T0, fleetMac, fleetSighting, prng } from "../test-support/fleet-fixture.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { openTempDb } from "../test-support/test-cloud.js";
import {
  EVERYTHING,
  type ExportSelection,
  exportPages,
  networkPageStatement,
  observationPageStatement,
} from "./export-query.js";
import type { ExportNetwork, ExportObservation } from "./export-rows.js";

let db: Client;
let cleanup: () => void;
let seq = 1;
let batchSeq = 0;
const random = prng(3);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const DAY = 86_400_000;

async function drive(deviceId: string, ids: number[], day: number): Promise<void> {
  const rows = ids.map((i, k) => fleetSighting(seq++, i, FLEET_T0 + day * DAY + k * 1000, random));
  await landAndMerge(db, { deviceId, batchSeq: batchSeq++ }, rows, FLEET_T0 + (10 + day) * DAY);
}

beforeEach(async () => {
  ({ db, cleanup } = await openTempDb());
  await drive("dev-a", range(0, 40), 0);
  await drive("dev-b", range(20, 60), 1);
});
afterEach(() => cleanup());

async function all(selection: ExportSelection, pageRows?: number, scanRows?: number) {
  const rows: (ExportObservation | ExportNetwork)[] = [];
  for await (const page of exportPages(db, selection, pageRows, scanRows)) rows.push(...page);
  return rows;
}

/** One value per filter parameter (every one the search routes take). */
const NETWORK_VALUES: Record<(typeof NETWORK_FILTER_PARAMS)[number], string> = {
  bbox: "151.2,-33.8,151.3,-33.7",
  since: String(FLEET_T0),
  until: String(FLEET_T0 + 2 * DAY),
  ssid: "Cafe-3",
  ssidPrefix: "shop",
  q: "afe",
  auth: "wpa2,wep",
  kind: "wifi",
  band: "2.4,5",
  channel: "6",
  vendor: "cisco",
  device: "dev-a",
  minRssi: "-60",
  minConfidence: "1",
  changedSince: String(FLEET_T0),
};
const OBSERVATION_VALUES: Record<(typeof OBSERVATION_FILTER_PARAMS)[number], string> = {
  bbox: "151.2,-33.8,151.3,-33.7",
  since: String(FLEET_T0),
  until: String(FLEET_T0 + DAY),
  device: "dev-a",
  mac: fleetMac(3),
  kind: "wifi,ble",
};

async function plan(sql: string, args: Record<string, unknown>): Promise<string[]> {
  const rs = await db.execute({
    sql: `EXPLAIN QUERY PLAN ${sql}`,
    args: { ...args, after: 0, stop: 100, page: 10 } as Record<string, string | number>,
  });
  return rs.rows.map((r) => String(r.detail));
}

describe("the export's page statement", () => {
  // Every filter alone and all together: the walked table is read by a rowid range (one pass, bounded per
  // statement), the helper tables by their keys, and nothing is sorted.
  const expectWalk = (details: string[], alias: "c" | "o") => {
    const text = details.join("\n");
    expect(details, text).toContain(`SEARCH ${alias} USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)`);
    expect(
      details.filter((d) => /^SCAN (c|o|h|h2|nd|networks|observations|network_\w+)\b|TEMP B-TREE/.test(d)),
      text,
    ).toEqual([]);
  };

  it("walks networks by rowid with every /v1/networks filter", async () => {
    const cases = [...Object.entries(NETWORK_VALUES).map(([k, v]) => ({ [k]: v })), NETWORK_VALUES];
    for (const params of cases) {
      const statement = networkPageStatement(parseNetworkFilters(params), 2);
      expectWalk(await plan(statement.sql, statement.args), "c");
    }
  });

  it("walks observations by rowid with every /v1/observations filter", async () => {
    const cases = [...Object.entries(OBSERVATION_VALUES).map(([k, v]) => ({ [k]: v })), OBSERVATION_VALUES];
    for (const params of cases) {
      const statement = observationPageStatement(parseObservationFilters(params));
      // Without NOT INDEXED the mac filter would read the (mac, seen_at) index on every statement.
      expectWalk(await plan(statement.sql, statement.args), "o");
    }
  });

  it("gives the same rows in small pages and short stretches as in one page, for every filter", async () => {
    for (const [name, value] of Object.entries(NETWORK_VALUES)) {
      const selection = { what: "networks", filters: parseNetworkFilters({ [name]: value }) } as const;
      const whole = await all(selection, 10_000);
      expect(whole.length, name).toBeGreaterThan(0);
      expect(await all(selection, 3, 7), name).toEqual(whole);
    }
    for (const [name, value] of Object.entries(OBSERVATION_VALUES)) {
      const selection = {
        what: "observations",
        filters: parseObservationFilters({ [name]: value }),
      } as const;
      const whole = await all(selection, 10_000);
      expect(whole.length, name).toBeGreaterThan(0);
      expect(await all(selection, 3, 7), name).toEqual(whole);
    }
  });

  it("examines at most scanRows rowids per statement, so a selective filter takes many short ones", async () => {
    let statements = 0;
    const counting = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "execute") {
          return (...args: Parameters<Client["execute"]>) => {
            statements += 1;
            return target.execute(...args);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const rows: ExportObservation[] = [];
    const selection = { what: "observations", filters: { mac: fleetMac(3) } } as const;
    for await (const page of exportPages(counting, selection, 100, 8))
      rows.push(...(page as ExportObservation[]));
    expect(rows.map((r) => r.mac)).toEqual([fleetMac(3)]);
    // 80 sightings in stretches of 8 rowids: 10 statements, and only one page (the hit) yielded.
    expect(statements).toBe(10);
  });
});

describe("REALs", () => {
  it("come back exactly: counts of 1e-9 as integers, every other double as 17 digits, -0 as -0", async () => {
    const doubles = [0, -0, 90, -90, 1e-7, 5e-324, 0.1 + 0.2, -33.8544386, 89.999_999_999_999_99];
    for (let i = 0; i < 150; i++) {
      const r = random();
      doubles.push(i % 3 === 0 ? r * 180 - 90 : Number((r * 180 - 90).toFixed(i % 12)));
    }
    // Altitudes also beyond the integer path (|x| >= 1e6) and tiny; accuracies never negative.
    const altitudes = [1e6, 999_999.999_999_999, -1e300, 1e-300, 123_456.123_456_789];
    const rows = doubles.map((x, i) =>
      sighting(seq++, fleetMac(i), {
        lat: x,
        lon: x * 2,
        altitudeM: i % 4 === 3 ? null : (altitudes[i] ?? x * 1e4),
        accuracyM: Math.abs(x),
      }),
    );
    await landAndMerge(db, { deviceId: "dev-r", batchSeq: batchSeq++ }, rows);
    const stored = (
      await db.execute(
        "SELECT lat, lon, altitude_m, accuracy_m FROM observations WHERE device_id = 'dev-r' ORDER BY rowid",
      )
    ).rows.map((r) => [r.lat, r.lon, r.altitude_m, r.accuracy_m]);
    const exported = (
      (await all({ what: "observations", filters: { device: "dev-r" } }, 7, 11)) as ExportObservation[]
    ).map((o) => [o.lat, o.lon, o.altitudeM, o.accuracyM]);
    expect(exported.length).toBe(doubles.length);
    // Object.is: -0 and 0 differ, and so does any double one ulp away.
    exported.forEach((row, i) => {
      row.forEach((x, k) => {
        expect(Object.is(x, stored[i]?.[k])).toBe(true);
      });
    });
  });
});

describe("an export while batches merge", () => {
  it("is the networks as of the generation read when it started", async () => {
    const before = (await all({ what: "networks", filters: EVERYTHING })) as ExportNetwork[];
    const shop = (await all({ what: "networks", filters: { ssidPrefix: "shop 2" } })) as ExportNetwork[];
    const pages = [
      exportPages(db, { what: "networks", filters: EVERYTHING }, 4, 4),
      exportPages(db, { what: "networks", filters: { ssidPrefix: "shop 2" } }, 2, 4),
      exportPages(db, { what: "networks", filters: { device: "dev-z" } }, 2, 4),
      exportPages(db, { what: "networks", filters: { ssid: "renamed" } }, 2, 4),
    ];
    const got: ExportNetwork[][] = [[], [], [], []];
    for (const [k, p] of pages.entries()) {
      const first = await p.next(); // each export pins its generation on its first page
      if (!first.done) got[k]?.push(...(first.value as ExportNetwork[]));
    }
    // A merge after the first pages: networks later in rowid order renamed, seen again (stronger,
    // later), seen by a new device, and new networks.
    const changed = [25, 33, 58].map((i) => fleetMac(i));
    await landAndMerge(db, { deviceId: "dev-z", batchSeq: 99 }, [
      ...changed.map((mac, k) =>
        sighting(seq++, mac, { ssid: "renamed", rssiDbm: -1, seenAt: FLEET_T0 + 30 * DAY + k }),
      ),
      ...range(200, 210).map((i) => fleetSighting(seq++, i, FLEET_T0 + 30 * DAY, random)),
    ]);
    const now = (await all({ what: "networks", filters: EVERYTHING })) as ExportNetwork[];
    expect(now.length).toBe(before.length + 10);
    expect(now.filter((n) => n.ssid === "renamed").map((n) => n.mac)).toEqual(changed);
    for (const [k, p] of pages.entries())
      for await (const page of p) got[k]?.push(...(page as ExportNetwork[]));
    expect(got[0]).toEqual(before);
    expect(got[1]).toEqual(shop);
    expect(shop.map((n) => n.mac)).toContain(fleetMac(25));
    expect(got[2]).toEqual([]);
    expect(got[3]).toEqual([]);
  });

  it("is the sightings that existed when it started", async () => {
    const before = await all({ what: "observations", filters: EVERYTHING });
    const pages = exportPages(db, { what: "observations", filters: EVERYTHING }, 10, 10);
    const got: ExportObservation[] = [];
    const first = await pages.next();
    if (!first.done) got.push(...(first.value as ExportObservation[]));
    await drive("dev-c", range(0, 30), 5);
    for await (const page of pages) got.push(...(page as ExportObservation[]));
    expect(got).toEqual(before);
    expect((await all({ what: "observations", filters: EVERYTHING })).length).toBe(before.length + 30);
  });
});
