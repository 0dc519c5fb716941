import type { InStatement } from "@libsql/client";
import { encodeGeohash } from "../analyst/geohash.js";

/*
 * Heatmap cells in the merge (docs/decisions/0024-geohash-heatmap-cells.md). Each staged row carries its
 * precision-7 geohash (computed in JS at staging: `stageCell`); precisions 6 and 5 are its prefixes.
 * From temp.merge_stage only, so a replay (empty stage) changes nothing.
 *
 * 1. merge_cells: the batch's distinct (mac, kind, day, cell7) with their sightings and, against the
 *    presence sets as they were before this batch, how many precisions (7, then 6, then 5) the
 *    transmitter is new at: `fresh` (that day, as that kind), `fresh_any` (that day, any kind), `ever`
 *    and `ever_any` (any day). A level stops at the first precision where it was already present, since
 *    a transmitter present in a cell is present in every parent; the CASE chains seek only as deep as
 *    needed, and a transmitter already seen today in its cell7 costs one seek.
 * 2. The counters: sightings add up; transmitters add the batch's distinct MACs new at that precision
 *    (count(DISTINCT) collapses two cell7s of one cell6 in the same batch), for the row's kind and '*'.
 * 3. The presence sets get the rows that were new.
 */

const DAY_MS = 86_400_000;
/** Level of a precision in the CASE chains: new at 7 is level 1, at 6 level 2, at 5 level 3. */
const PRECISIONS = [7, 6, 5] as const;

/** The precision-7 geohash of a sighting, or null without a position (the stage's `cell`). */
export function stageCell(lat: number | null, lon: number | null): string | null {
  return lat === null || lon === null ? null : encodeGeohash(lat, lon, 7);
}

const CREATE_CELLS = `CREATE TEMP TABLE IF NOT EXISTS merge_cells (mac TEXT NOT NULL, kind TEXT NOT NULL,
  day INTEGER NOT NULL, cell TEXT NOT NULL, sightings INTEGER NOT NULL, fresh INTEGER NOT NULL,
  fresh_any INTEGER NOT NULL, ever INTEGER NOT NULL, ever_any INTEGER NOT NULL)`;
const CLEAR_CELLS = "DELETE FROM temp.merge_cells";

/** A row of `table` for the transmitter of row `r` in r's cell at `precision` (a prefix range below 7). */
function present(table: string, precision: number, same: readonly string[], r: string): string {
  const cell =
    precision === 7
      ? `h.cell = ${r}.cell`
      : `h.cell >= substr(${r}.cell, 1, ${precision}) AND h.cell < substr(${r}.cell, 1, ${precision}) || '{'`;
  const match = ["mac", ...same].map((c) => `h.${c} = ${r}.${c}`).join(" AND ");
  return `EXISTS (SELECT 1 FROM ${table} h WHERE ${match} AND ${cell})`;
}

/** 0 when present at precision 7, 1 when only at 6, 2 only at 5, 3 when new at every precision. */
function level(table: string, same: readonly string[], r: string): string {
  const whens = PRECISIONS.map((p, i) => `WHEN ${present(table, p, same, r)} THEN ${i}`).join(" ");
  return `CASE ${whens} ELSE ${PRECISIONS.length} END`;
}

// `k` is MATERIALIZED so that each level's seeks run once per row (a flattened subquery would repeat
// them in every expression that names `fresh`).
const FILL_CELLS = `INSERT INTO temp.merge_cells (mac, kind, day, cell, sightings, fresh, fresh_any, ever, ever_any)
WITH g AS MATERIALIZED (SELECT mac, kind, seen_at / ${DAY_MS} AS day, cell, count(*) AS sightings
    FROM temp.merge_stage WHERE cell IS NOT NULL GROUP BY mac, kind, day, cell),
  k AS MATERIALIZED (SELECT g.*, ${level("heatmap_presence", ["day", "kind"], "g")} AS fresh FROM g),
  a AS MATERIALIZED (SELECT k.*,
    CASE WHEN k.fresh = 0 THEN 0 ELSE ${level("heatmap_presence", ["day"], "k")} END AS fresh_any,
    CASE WHEN k.fresh = 0 THEN 0 ELSE ${level("heatmap_presence_ever", ["kind"], "k")} END AS ever
  FROM k)
SELECT mac, kind, day, cell, sightings, fresh, fresh_any, ever,
  CASE WHEN a.ever = 0 OR a.fresh_any = 0 THEN 0 ELSE ${level("heatmap_presence_ever", [], "a")} END
FROM a`;

/** Each staged cell row once per precision and once more as kind '*'. */
const EXPAND = `FROM temp.merge_cells m
  CROSS JOIN (SELECT 7 AS p UNION ALL SELECT 6 UNION ALL SELECT 5) AS pr
  CROSS JOIN (SELECT 0 AS star UNION ALL SELECT 1) AS k
WHERE true`;
const kindOf = "CASE WHEN k.star THEN '*' ELSE m.kind END";
const newAt = (fresh: string, freshAny: string) =>
  `count(DISTINCT CASE WHEN (CASE WHEN k.star THEN m.${freshAny} ELSE m.${fresh} END) >= 8 - pr.p THEN m.mac END)`;
const added = (table: string) =>
  `sightings = ${table}.sightings + excluded.sightings, transmitters = ${table}.transmitters + excluded.transmitters`;

const COUNT_DAYS = `INSERT INTO heatmap_cells (precision, kind, day, cell, sightings, transmitters)
SELECT pr.p, ${kindOf}, m.day, substr(m.cell, 1, pr.p), sum(m.sightings), ${newAt("fresh", "fresh_any")}
${EXPAND} GROUP BY 1, 2, 3, 4
ON CONFLICT (precision, kind, day, cell) DO UPDATE SET ${added("heatmap_cells")}`;

const COUNT_TOTALS = `INSERT INTO heatmap_cell_totals (precision, kind, cell, sightings, transmitters)
SELECT pr.p, ${kindOf}, substr(m.cell, 1, pr.p), sum(m.sightings), ${newAt("ever", "ever_any")}
${EXPAND} GROUP BY 1, 2, 3
ON CONFLICT (precision, kind, cell) DO UPDATE SET ${added("heatmap_cell_totals")}`;

const RECORD_PRESENCE = `INSERT INTO heatmap_presence (mac, day, cell, kind)
SELECT mac, day, cell, kind FROM temp.merge_cells WHERE fresh > 0 ON CONFLICT DO NOTHING`;
const RECORD_PRESENCE_EVER = `INSERT INTO heatmap_presence_ever (mac, cell, kind)
SELECT mac, cell, kind FROM temp.merge_cells WHERE ever > 0 ON CONFLICT DO NOTHING`;

/** The merge step: after the observations insert, reading temp.merge_stage (with its `cell` column). */
export function heatmapCellStatements(): InStatement[] {
  return [
    CREATE_CELLS,
    CLEAR_CELLS,
    FILL_CELLS,
    COUNT_DAYS,
    COUNT_TOTALS,
    RECORD_PRESENCE,
    RECORD_PRESENCE_EVER,
    CLEAR_CELLS,
  ];
}
