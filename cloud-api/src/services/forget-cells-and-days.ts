import type { Client, InStatement } from "@libsql/client";
import { encodeGeohash } from "../analyst/geohash.js";

/*
 * Takes back what a set of devices added to the heatmap cells and daily stats, when those devices saw only
 * transmitters of their own (a MAC prefix nobody else uses): the load test's simulated devices. Exact, so
 * real data in the same cells and days keeps its counts:
 * - sightings: recounted here from the devices' sightings (each placed in its cell as the merge did);
 * - distinct transmitters: the prefix's rows in the presence sets (those MACs count 1 wherever they are);
 * - first days: each of the prefix's networks counted 1 on its first day;
 * - device days: the devices' own rows.
 * Run the statements (one write transaction) after the devices' batches merged and before their
 * sightings and networks are deleted; counter rows they leave at zero sightings are removed.
 */

const DAY_MS = 86_400_000;
const PAGE = 10_000;

/** `mac` within the prefix: a range the primary keys serve (LIKE would not use them). */
const inPrefix = (column: string, prefix: string) => {
  const hi = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
  return { sql: `${column} >= ? AND ${column} < ?`, args: [prefix, hi] };
};

const EXPAND = `CROSS JOIN (SELECT 7 AS p UNION ALL SELECT 6 UNION ALL SELECT 5) AS pr
  CROSS JOIN (SELECT 0 AS star UNION ALL SELECT 1) AS k`;

/** Sightings per [precision, kind, day, cell] and per [precision, kind, cell] of the devices' rows. */
async function sightingsOf(db: Client, deviceIds: readonly string[]) {
  const days = new Map<string, number>();
  const totals = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const deviceId of deviceIds) {
    let after: [string, number] = ["", -1];
    for (;;) {
      const rs = await db.execute({
        sql: `SELECT run_id, seq, kind, seen_at, lat, lon FROM observations
          WHERE device_id = ? AND (run_id, seq) > (?, ?) ORDER BY run_id, seq LIMIT ${PAGE}`,
        args: [deviceId, ...after],
      });
      for (const r of rs.rows) {
        if (r.lat === null || r.lon === null) continue;
        const cell = encodeGeohash(Number(r.lat), Number(r.lon), 7);
        const day = Math.floor(Number(r.seen_at) / DAY_MS);
        for (const p of [5, 6, 7]) {
          for (const kind of [String(r.kind), "*"]) {
            add(days, JSON.stringify([p, kind, day, cell.slice(0, p)]));
            add(totals, JSON.stringify([p, kind, cell.slice(0, p)]));
          }
        }
      }
      const last = rs.rows.at(-1);
      if (rs.rows.length < PAGE || last === undefined) break;
      after = [String(last.run_id), Number(last.seq)];
    }
  }
  const rows = (map: Map<string, number>) => [...map].map(([k, n]) => [...(JSON.parse(k) as unknown[]), n]);
  return { days: rows(days), totals: rows(totals) };
}

export async function forgetCellsAndDays(
  db: Client,
  input: { deviceIds: readonly string[]; macPrefix: string },
): Promise<InStatement[]> {
  const { days, totals } = await sightingsOf(db, input.deviceIds);
  const mac = inPrefix("h.mac", `${input.macPrefix}:`);
  const networkMac = inPrefix("mac", `${input.macPrefix}:`);
  const devices = input.deviceIds.map(() => "?").join(", ");
  const kind = "CASE WHEN k.star THEN '*' ELSE h.kind END";
  return [
    {
      sql: `UPDATE heatmap_cells SET sightings = heatmap_cells.sightings - x.n FROM (SELECT j.value->>0 AS p,
        j.value->>1 AS kind, j.value->>2 AS day, j.value->>3 AS cell, j.value->>4 AS n FROM json_each(?) AS j) AS x
        WHERE heatmap_cells.precision = x.p AND heatmap_cells.kind = x.kind AND heatmap_cells.day = x.day
          AND heatmap_cells.cell = x.cell`,
      args: [JSON.stringify(days)],
    },
    {
      sql: `UPDATE heatmap_cell_totals SET sightings = heatmap_cell_totals.sightings - x.n FROM (SELECT
        j.value->>0 AS p, j.value->>1 AS kind, j.value->>2 AS cell, j.value->>3 AS n FROM json_each(?) AS j) AS x
        WHERE heatmap_cell_totals.precision = x.p AND heatmap_cell_totals.kind = x.kind
          AND heatmap_cell_totals.cell = x.cell`,
      args: [JSON.stringify(totals)],
    },
    {
      sql: `UPDATE heatmap_cells SET transmitters = heatmap_cells.transmitters - x.n FROM (SELECT pr.p,
        ${kind} AS kind, h.day, substr(h.cell, 1, pr.p) AS cell, count(DISTINCT h.mac) AS n
        FROM heatmap_presence AS h ${EXPAND} WHERE ${mac.sql} GROUP BY 1, 2, 3, 4) AS x
        WHERE heatmap_cells.precision = x.p AND heatmap_cells.kind = x.kind AND heatmap_cells.day = x.day
          AND heatmap_cells.cell = x.cell`,
      args: mac.args,
    },
    {
      sql: `UPDATE heatmap_cell_totals SET transmitters = heatmap_cell_totals.transmitters - x.n FROM (SELECT
        pr.p, ${kind} AS kind, substr(h.cell, 1, pr.p) AS cell, count(DISTINCT h.mac) AS n
        FROM heatmap_presence_ever AS h ${EXPAND} WHERE ${mac.sql} GROUP BY 1, 2, 3) AS x
        WHERE heatmap_cell_totals.precision = x.p AND heatmap_cell_totals.kind = x.kind
          AND heatmap_cell_totals.cell = x.cell`,
      args: mac.args,
    },
    {
      sql: `DELETE FROM heatmap_cells WHERE sightings <= 0 AND (precision, kind, day, cell) IN
        (SELECT j.value->>0, j.value->>1, j.value->>2, j.value->>3 FROM json_each(?) AS j)`,
      args: [JSON.stringify(days)],
    },
    {
      sql: `DELETE FROM heatmap_cell_totals WHERE sightings <= 0 AND (precision, kind, cell) IN
        (SELECT j.value->>0, j.value->>1, j.value->>2 FROM json_each(?) AS j)`,
      args: [JSON.stringify(totals)],
    },
    { sql: `DELETE FROM heatmap_presence AS h WHERE ${mac.sql}`, args: mac.args },
    { sql: `DELETE FROM heatmap_presence_ever AS h WHERE ${mac.sql}`, args: mac.args },
    {
      sql: `UPDATE daily_new_transmitters SET transmitters = daily_new_transmitters.transmitters - x.n
        FROM (SELECT first_seen / ${DAY_MS} AS day, count(*) AS n FROM networks WHERE ${networkMac.sql}
          GROUP BY 1) AS x WHERE daily_new_transmitters.day = x.day`,
      args: networkMac.args,
    },
    "DELETE FROM daily_new_transmitters WHERE transmitters = 0",
    { sql: `DELETE FROM daily_device_activity WHERE device_id IN (${devices})`, args: [...input.deviceIds] },
  ];
}
