import type { Client, InStatement, Row } from "@libsql/client";
import { cellBounds, gridCellCount, gridGeohashes, gridOf, indexOfGeohash, inGrid } from "./geohash.js";
import { DAY_MS, type HeatmapQuery } from "./heatmap-query.js";
import { invalid } from "./query-params.js";

/*
 * GET /v1/heatmap: the bbox's cells at one resolution with their sightings and distinct transmitters
 * (docs/decisions/0024-geohash-heatmap-cells.md). All time and one day read the counters (one row per
 * cell); a range of several days sums the daily sightings and counts distinct transmitters over the
 * presence set, which is exact but costs a row per transmitter-day, so it is bounded by a scan budget.
 * The bbox is read as a few geohash prefix ranges (a coarser cover), then cut to its grid here.
 */

/** Presence rows one multi-day answer may scan before it is refused. */
export const PRESENCE_SCAN_BUDGET = 100_000;
/** Prefix ranges per read: the finest cover of the bbox with at most this many cells. */
const MAX_COVER_RANGES = 32;

export interface HeatmapFeature {
  type: "Feature";
  id: string;
  geometry: { type: "Polygon"; coordinates: [number, number][][] };
  properties: { cell: string; resolution: number; observations: number; networks: number };
}

export interface Heatmap {
  type: "FeatureCollection";
  resolution: number;
  kind: string | null;
  /** The whole UTC days counted (ISO 8601), null for all time. */
  range: { since: string; until: string } | null;
  features: HeatmapFeature[];
}

/** [lo, hi) geohash ranges that together hold every cell of the query's grid (and a margin around it). */
function coverRanges(query: HeatmapQuery): string[][] {
  for (let precision = query.grid.precision; precision >= 1; precision--) {
    const grid = gridOf(query.bbox, precision);
    if (gridCellCount(grid) <= MAX_COVER_RANGES || precision === 1) {
      return gridGeohashes(grid).map((g) => [g, `${g}{`]);
    }
  }
  return [];
}

// CROSS JOIN keeps the small lists the outer loops: each (day, range) pair is one index range.
const COUNTERS = (table: string, dayed: boolean) => `SELECT c.cell, c.sightings, c.transmitters
FROM json_each(?) AS r CROSS JOIN ${table} AS c
WHERE c.precision = ? AND c.kind = ? ${dayed ? "AND c.day = ?" : ""}
  AND c.cell >= r.value->>0 AND c.cell < r.value->>1`;

const RANGE_SIGHTINGS = `SELECT c.cell, sum(c.sightings) AS sightings, 0 AS transmitters
FROM json_each(?) AS d CROSS JOIN json_each(?) AS r CROSS JOIN heatmap_cells AS c
WHERE c.precision = ? AND c.kind = ? AND c.day = d.value AND c.cell >= r.value->>0 AND c.cell < r.value->>1
GROUP BY c.cell`;

const rangeTransmitters = (oneKind: boolean) => `WITH p AS MATERIALIZED (SELECT h.cell, h.mac
  FROM json_each(?) AS d CROSS JOIN json_each(?) AS r CROSS JOIN heatmap_presence AS h
  WHERE h.day = d.value AND h.cell >= r.value->>0 AND h.cell < r.value->>1 ${oneKind ? "AND h.kind = ?" : ""}
  LIMIT ?)
SELECT substr(cell, 1, ?) AS cell, count(DISTINCT mac) AS transmitters, (SELECT count(*) FROM p) AS scanned
FROM p GROUP BY 1`;

/** The reads of one answer (one read transaction); exported so a test can check their plans. */
export function heatmapStatements(query: HeatmapQuery, budget = PRESENCE_SCAN_BUDGET): InStatement[] {
  const ranges = JSON.stringify(coverRanges(query));
  const { precision } = query.grid;
  const days = query.days;
  if (days === null) {
    return [{ sql: COUNTERS("heatmap_cell_totals", false), args: [ranges, precision, query.kind] }];
  }
  if (days.first === days.last) {
    return [{ sql: COUNTERS("heatmap_cells", true), args: [ranges, precision, query.kind, days.first] }];
  }
  const dayList = JSON.stringify(
    Array.from({ length: days.last - days.first + 1 }, (_, i) => days.first + i),
  );
  const oneKind = query.kind !== "*";
  return [
    { sql: RANGE_SIGHTINGS, args: [dayList, ranges, precision, query.kind] },
    {
      sql: rangeTransmitters(oneKind),
      args: [dayList, ranges, ...(oneKind ? [query.kind] : []), budget + 1, precision],
    },
  ];
}

function feature(cell: string, precision: number, observations: number, networks: number): HeatmapFeature {
  const index = indexOfGeohash(cell) ?? { x: 0, y: 0 };
  const [w, s, e, n] = cellBounds(index, precision);
  return {
    type: "Feature",
    id: cell,
    // RFC 7946: [lon, lat], exterior ring counter-clockwise, first point repeated last.
    geometry: {
      type: "Polygon",
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    },
    properties: { cell, resolution: precision, observations, networks },
  };
}

/** `budget`: presence rows a multi-day answer may scan (tests lower it to reach the refusal). */
export async function readHeatmap(
  db: Client,
  query: HeatmapQuery,
  budget = PRESENCE_SCAN_BUDGET,
): Promise<Heatmap> {
  const results = await db.batch(heatmapStatements(query, budget), "read");
  const counts = new Map<string, { observations: number; networks: number }>();
  const entry = (cell: string) => {
    let e = counts.get(cell);
    if (e === undefined) {
      e = { observations: 0, networks: 0 };
      counts.set(cell, e);
    }
    return e;
  };
  for (const r of results[0]?.rows ?? []) {
    const e = entry(String(r.cell));
    e.observations = Number(r.sightings);
    e.networks = Number(r.transmitters);
  }
  const transmitters: Row[] = results[1]?.rows ?? [];
  if (Number(transmitters[0]?.scanned ?? 0) > budget) {
    throw invalid(
      "since",
      `counting distinct transmitters over these days and this bbox needs more than ${budget} rows: ` +
        "narrow the bbox or the range, or ask one day or all time",
    );
  }
  for (const r of transmitters) entry(String(r.cell)).networks = Number(r.transmitters);
  const { grid } = query;
  const features = [...counts]
    .filter(([cell, e]) => e.observations > 0 && inGrid(grid, indexOfGeohash(cell) ?? { x: -1, y: -1 }))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cell, e]) => feature(cell, grid.precision, e.observations, e.networks));
  const days = query.days;
  return {
    type: "FeatureCollection",
    resolution: grid.precision,
    kind: query.kind === "*" ? null : query.kind,
    range:
      days === null
        ? null
        : {
            since: new Date(days.first * DAY_MS).toISOString(),
            until: new Date((days.last + 1) * DAY_MS - 1).toISOString(),
          },
    features,
  };
}
