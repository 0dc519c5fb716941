import type { Client } from "@libsql/client";
import { type Scenario, type WeightedRequest, weightedPicker } from "./scenario.js";

/*
 * A weighted mix of the analyst endpoints (the paths issue 11 defines), with parameters drawn from what
 * the database holds: MACs for detail pages and boxes around real sightings for searches and heatmaps.
 * Each endpoint is probed once before the run and left out when this API answers "no route" (404 with
 * code not_found and no body from a handler), so the mix works with whichever analyst routes exist.
 */

export interface AnalystParams {
  macs: string[];
  /** Points networks were located at; boxes are drawn around them. */
  points: { lat: number; lon: number }[];
  /** ms epoch range of the data, for since/until. */
  since: number;
  until: number;
}

/** Reads up to 200 MACs and their locations from a cloud database. */
export async function analystParamsFromDb(db: Client): Promise<AnalystParams> {
  const rs = await db.execute(
    "SELECT mac, lat, lon, first_seen, last_seen FROM networks ORDER BY random() LIMIT 200",
  );
  const rows = rs.rows.map((r) => ({
    mac: String(r.mac),
    lat: r.lat === null ? null : Number(r.lat),
    lon: r.lon === null ? null : Number(r.lon),
    first: Number(r.first_seen),
    last: Number(r.last_seen),
  }));
  return {
    macs: rows.map((r) => r.mac),
    points: rows.flatMap((r) => (r.lat === null || r.lon === null ? [] : [{ lat: r.lat, lon: r.lon }])),
    since: Math.min(...rows.map((r) => r.first), Date.now() - 7 * 86_400_000),
    until: Math.max(...rows.map((r) => r.last), Date.now()),
  };
}

/** Without database access: whatever the first page of GET /v1/networks shows (if that route exists). */
export async function analystParamsFromApi(target: string, authorization?: string): Promise<AnalystParams> {
  const params: AnalystParams = {
    macs: [],
    points: [],
    since: Date.now() - 7 * 86_400_000,
    until: Date.now(),
  };
  const res = await fetch(`${target.replace(/\/+$/, "")}/v1/networks?limit=200`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  if (res.status !== 200) {
    await res.arrayBuffer();
    return params;
  }
  const body = (await res.json()) as {
    networks?: { mac?: unknown; location?: { lat?: unknown; lon?: unknown } }[];
  };
  for (const n of body.networks ?? []) {
    if (typeof n.mac === "string") params.macs.push(n.mac);
    const { lat, lon } = n.location ?? {};
    if (typeof lat === "number" && typeof lon === "number") params.points.push({ lat, lon });
  }
  return params;
}

/** Half-sizes of the boxes in degrees: about a street and about a city. */
const BOX_HALF_DEG = [0.002, 0.05];

function candidates(p: AnalystParams): (WeightedRequest & { make?: (random: () => number) => string })[] {
  const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
  const box = (random: () => number) => {
    const point = p.points[Math.floor(random() * p.points.length)] ?? { lat: 0, lon: 0 };
    const half = BOX_HALF_DEG[Math.floor(random() * BOX_HALF_DEG.length)] ?? 0.01;
    const f = (n: number) => n.toFixed(5);
    return `${f(point.lon - half)},${f(point.lat - half)},${f(point.lon + half)},${f(point.lat + half)}`;
  };
  const mac = (random: () => number) =>
    encodeURIComponent(p.macs[Math.floor(random() * p.macs.length)] ?? "");
  const list: (WeightedRequest & { make?: (random: () => number) => string })[] = [
    { method: "GET", route: "GET /v1/stats", path: "/v1/stats", weight: 1 },
    {
      method: "GET",
      route: "GET /v1/stats/daily",
      // The route answers at most 366 days: the last year of the data.
      path: `/v1/stats/daily?since=${iso(Math.max(p.since, p.until - 365 * 86_400_000))}&until=${iso(p.until)}`,
      weight: 1,
    },
  ];
  if (p.points.length > 0) {
    list.push(
      {
        method: "GET",
        route: "GET /v1/networks",
        path: "",
        weight: 4,
        make: (r) => `/v1/networks?bbox=${box(r)}&limit=100`,
      },
      {
        method: "GET",
        route: "GET /v1/heatmap",
        path: "",
        weight: 1,
        make: (r) => `/v1/heatmap?bbox=${box(r)}`,
      },
    );
  }
  if (p.macs.length > 0) {
    list.push({
      method: "GET",
      route: "GET /v1/networks/{mac}",
      path: "",
      weight: 3,
      make: (r) => `/v1/networks/${mac(r)}`,
    });
  }
  return list;
}

/** Probes each candidate once and builds the scenario from those this API serves. */
export async function analystScenario(
  target: string,
  params: AnalystParams,
  authorization: string | undefined,
): Promise<Scenario & { routes: string[] }> {
  const base = target.replace(/\/+$/, "");
  const served: (WeightedRequest & { make?: (random: () => number) => string })[] = [];
  for (const c of candidates(params)) {
    const path = c.make?.(Math.random) ?? c.path;
    const res = await fetch(base + path, { headers: authorization === undefined ? {} : { authorization } });
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new Error(
        `${c.route} answered ${res.status}: the analyst scenario needs --key with the analyst role`,
      );
    }
    if (res.status === 404 && text.includes('"code":"not_found"') && text.includes("no route")) continue;
    served.push(c);
  }
  if (served.length === 0) throw new Error(`no analyst route answered at ${target}`);
  const pick = weightedPicker(served);
  return {
    name: "analyst",
    routes: served.map((s) => s.route),
    next(random) {
      const c = pick(random) as (typeof served)[number];
      return { method: c.method, route: c.route, path: c.make?.(random) ?? c.path };
    },
  };
}
