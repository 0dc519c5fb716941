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
 * 2. The counters, for the row's kind and for '*': sightings add up; transmitters add the batch's
 *    distinct MACs new at that precision (count(DISTINCT) collapses two cell7s of one cell6 in a batch).
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

// `k` is MATERIALIZED so that the `fresh` seeks run once per row (a flattened subquery would repeat them
// in every expression that names `fresh`). A transmitter already present in its cell7 today (fresh = 0)
// is present in every other set too, so only fresh rows seek further.
const FILL_CELLS = `INSERT INTO temp.merge_cells (mac, kind, day, cell, sightings, fresh, fresh_any, ever, ever_any)
WITH g AS MATERIALIZED (SELECT mac, kind, seen_at / ${DAY_MS} AS day, cell, count(*) AS sightings
    FROM temp.merge_stage WHERE cell IS NOT NULL GROUP BY mac, kind, day, cell),
  k AS MATERIALIZED (SELECT g.*, ${level("heatmap_presence", ["day", "kind"], "g")} AS fresh FROM g)
SELECT mac, kind, day, cell, sightings, fresh,
  CASE WHEN fresh = 0 THEN 0 ELSE ${level("heatmap_presence", ["day"], "k")} END,
  CASE WHEN fresh = 0 THEN 0 ELSE ${level("heatmap_presence_ever", ["kind"], "k")} END,
  CASE WHEN fresh = 0 THEN 0 ELSE ${level("heatmap_presence_ever", [], "k")} END
FROM k`;

/** Each row of `rows` once per precision and once more as kind '*'. */
const expand = (rows: string) => `FROM ${rows} AS m
  CROSS JOIN (SELECT 7 AS p UNION ALL SELECT 6 UNION ALL SELECT 5) AS pr
  CROSS JOIN (SELECT 0 AS star UNION ALL SELECT 1) AS k`;
const kindOf = "CASE WHEN k.star THEN '*' ELSE m.kind END";

/**
 * Sightings come from the batch's per-(kind, day, cell7) sums (a few rows per cell, not one per MAC);
 * transmitters from the rows new at some precision only (`fresh` > 0 for the days, `ever` > 0 for the
 * totals), which in steady state are few.
 */
function countCells(table: "heatmap_cells" | "heatmap_cell_totals"): string {
  const days = table === "heatmap_cells";
  const [fresh, freshAny] = days ? ["fresh", "fresh_any"] : ["ever", "ever_any"];
  const day = days ? "m.day, " : "";
  const keys = ["p", "kind", ...(days ? ["day"] : []), "cell"];
  const groupBy = keys.map((_, i) => i + 1).join(", ");
  return `INSERT INTO ${table} (precision, kind, ${days ? "day, " : ""}cell, sightings, transmitters)
WITH s AS MATERIALIZED (SELECT pr.p, ${kindOf} AS kind, ${day}substr(m.cell, 1, pr.p) AS cell, sum(m.n) AS n
    ${expand(`(SELECT kind, ${days ? "day, " : ""}cell, sum(sightings) AS n FROM temp.merge_cells GROUP BY kind, ${days ? "day, " : ""}cell)`)}
    GROUP BY ${groupBy}),
  t AS MATERIALIZED (SELECT pr.p, ${kindOf} AS kind, ${day}substr(m.cell, 1, pr.p) AS cell, count(DISTINCT m.mac) AS n
    ${expand(`(SELECT * FROM temp.merge_cells WHERE ${fresh} > 0)`)}
    WHERE (CASE WHEN k.star THEN m.${freshAny} ELSE m.${fresh} END) >= 8 - pr.p
    GROUP BY ${groupBy})
SELECT s.p, s.kind, ${days ? "s.day, " : ""}s.cell, s.n, coalesce(t.n, 0)
FROM s LEFT JOIN t ON ${keys.map((k) => `t.${k} = s.${k}`).join(" AND ")} WHERE true
ON CONFLICT (precision, kind, ${days ? "day, " : ""}cell) DO UPDATE SET sightings = ${table}.sightings + excluded.sightings,
  transmitters = ${table}.transmitters + excluded.transmitters`;
}

const COUNT_DAYS = countCells("heatmap_cells");
const COUNT_TOTALS = countCells("heatmap_cell_totals");

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
