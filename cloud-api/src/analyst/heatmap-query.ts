import { OBSERVATION_KINDS } from "@piwardrive/shared-schema";
import { type CellGrid, gridCellCount, gridOf } from "./geohash.js";
import {
  type Bbox,
  invalid,
  parseBbox,
  parseInteger,
  parseList,
  parseTimeRange,
  type RawParams,
  rejectUnknown,
} from "./query-params.js";

/*
 * The parameters of GET /v1/heatmap (docs/analyst-aggregates.md, "Heatmap cells"). Cells are per UTC day,
 * so since/until select the whole UTC days they fall in.
 */

export const HEATMAP_QUERY_PARAMS = ["bbox", "resolution", "kind", "since", "until"] as const;
export const HEATMAP_RESOLUTIONS = [5, 6, 7] as const;
/** The most cells one answer may hold (the bbox's grid at the resolution, empty cells included). */
export const MAX_HEATMAP_CELLS = 10_000;
/** The longest since/until range, in UTC days. */
export const MAX_RANGE_DAYS = 366;
export const DAY_MS = 86_400_000;

export const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

export interface HeatmapQuery {
  bbox: Bbox;
  grid: CellGrid;
  /** An observation kind, or '*' for all. */
  kind: string;
  /** Epoch day numbers, inclusive; null for all time. */
  days: { first: number; last: number } | null;
}

/** The finest resolution whose grid over the bbox stays within the cap (null when even 5 does not). */
function autoGrid(bbox: Bbox): CellGrid | null {
  for (const precision of [...HEATMAP_RESOLUTIONS].reverse()) {
    const grid = gridOf(bbox, precision);
    if (gridCellCount(grid) <= MAX_HEATMAP_CELLS) return grid;
  }
  return null;
}

export function parseHeatmapQuery(params: RawParams, now: number): HeatmapQuery {
  rejectUnknown(params, HEATMAP_QUERY_PARAMS);
  if (params.bbox === undefined) throw invalid("bbox", "required (minLon,minLat,maxLon,maxLat)");
  const bbox = parseBbox(params.bbox) as Bbox;
  const resolution = parseInteger("resolution", params.resolution, { min: 5, max: 7 });
  let grid: CellGrid | null;
  if (resolution === undefined) {
    grid = autoGrid(bbox);
    if (grid === null)
      throw invalid("bbox", `covers more than ${MAX_HEATMAP_CELLS} cells even at resolution 5`);
  } else {
    grid = gridOf(bbox, resolution);
    const count = gridCellCount(grid);
    if (count > MAX_HEATMAP_CELLS) {
      throw invalid(
        "resolution",
        `${count} cells over this bbox, more than ${MAX_HEATMAP_CELLS}: use a coarser resolution or a smaller bbox`,
      );
    }
  }
  const kinds = parseList("kind", params.kind, OBSERVATION_KINDS);
  if (kinds !== undefined && kinds.length !== 1) throw invalid("kind", "one kind per heatmap");
  return { bbox, grid, kind: kinds?.[0] ?? "*", days: parseDays(params, now) };
}

/**
 * since/until as whole UTC days: none for all time; `since` alone runs to today; `until` alone is refused
 * (a range needs its start); at most MAX_RANGE_DAYS days.
 */
export function parseDays(params: RawParams, now: number): { first: number; last: number } | null {
  const range = parseTimeRange(params);
  if (range.since === undefined && range.until === undefined) return null;
  if (range.since === undefined) throw invalid("since", "required with until");
  const until = range.until ?? Math.max(now, range.since);
  const first = dayOf(range.since);
  const last = dayOf(until);
  if (last - first + 1 > MAX_RANGE_DAYS) {
    throw invalid("since", `the range spans ${last - first + 1} UTC days, at most ${MAX_RANGE_DAYS}`);
  }
  return { first, last };
}
