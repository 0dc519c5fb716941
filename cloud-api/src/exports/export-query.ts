import type { Client, InValue, Row } from "@libsql/client";
import { type NetworkFilters, networkFilterSql } from "../analyst/network-filters.js";
import { NETWORK_FIELDS } from "../analyst/network-view.js";
import { type ObservationFilters, observationFilterSql } from "../analyst/observation-filters.js";
import { exactText, nulSafeBytes } from "../db/nul-safe-text.js";
import { readMergeGeneration } from "../services/merge-generation.js";
import type { ExportNetwork, ExportObservation } from "./export-rows.js";

/*
 * The rows of an export, page by page, in rowid order. Decision record 0030:
 * - filters are the search routes' own (analyst/*-filters.ts), parsed and turned into SQL by the same code;
 * - pages are keyset on rowid over a walk of at most `scanRows` rowids per statement (NOT INDEXED: the
 *   plan is the same rowid range search whatever the filter, so every statement is bounded and the whole
 *   export is one pass over the table, never an index walk re-sorted by rowid page after page);
 * - an export of networks reads them as of the merge generation G read when it starts (the as-of view of
 *   the paged search, decision 0012): a long export is one consistent snapshot while batches merge, and
 *   gives the same networks as GET /v1/networks walked to the end from a first page asked at G;
 * - an export of sightings stops at the last rowid that existed at its first page (sightings are only
 *   ever appended, so that is the table as it was then).
 */

/** What an export selects: the resource and the filters of its search route. */
export type ExportSelection =
  | { what: "observations"; filters: ObservationFilters }
  | { what: "networks"; filters: NetworkFilters };

/** No filter (valid for both resources). */
export const EVERYTHING: ObservationFilters & NetworkFilters = {};

/** Rows per page: large enough that one query per page costs little, small enough to bound memory. */
export const EXPORT_PAGE_ROWS = 2000;
/** Rowids one statement examines at most (the analyst routes' scan budget): no statement stalls the API. */
export const EXPORT_SCAN_ROWS = 20_000;

const OBSERVATION_COLUMNS = [
  "device_id",
  "kind",
  "mac",
  "ssid",
  "auth_mode",
  "capabilities",
  "seen_at",
  "channel",
  "frequency_mhz",
  "rssi_dbm",
  "lat",
  "lon",
  "altitude_m",
  "accuracy_m",
  "rcois",
  "mfgr_id",
];
const AS_OF_COLUMNS = NETWORK_FIELDS.filter((c) => c !== "mac");

/** One statement: a page of hits in the rowid range (after, stop], then an edge row with the table's last rowid. */
interface PageStatement {
  sql: string;
  /** Named arguments besides :after, :stop and :page. */
  args: Record<string, InValue>;
}

const edge = (table: string, columns: number) =>
  `UNION ALL SELECT 1, (SELECT max(rowid) FROM ${table}), ${Array(columns).fill("NULL").join(", ")}`;

/** Positional `?` of a filter's SQL as named `:f0, :f1, ...` (the page statement binds by name). */
function named(sql: string, args: readonly InValue[]): PageStatement {
  const out: Record<string, InValue> = {};
  args.forEach((a, i) => {
    out[`f${i}`] = a;
  });
  let i = 0;
  return { sql: sql.replace(/\?/g, () => `:f${i++}`), args: out };
}

export function observationPageStatement(f: ObservationFilters): PageStatement {
  const { keyed, rest } = observationFilterSql(f);
  const filter = named(`${keyed.sql} AND ${rest.sql}`, [...keyed.args, ...rest.args]);
  return {
    sql: `SELECT 0 AS edge, * FROM (SELECT o.rowid AS k, ${OBSERVATION_COLUMNS.map((c) => `o.${c}`).join(", ")},
    ${nulSafeBytes("o.ssid")}
  FROM observations o NOT INDEXED WHERE o.rowid > :after AND o.rowid <= :stop AND ${filter.sql}
  ORDER BY o.rowid LIMIT :page)
${edge("observations", OBSERVATION_COLUMNS.length + 1)}`,
    args: filter.args,
  };
}

/**
 * Networks as of generation g, walked by the current rows' rowids: a row not changed after g is itself;
 * a changed one is its first history row after g (what it was at g); one created after g is left out.
 */
export function networkPageStatement(f: NetworkFilters, g: number): PageStatement {
  const where = networkFilterSql(f, g);
  const filter = named(where.sql, where.args);
  const asOf = AS_OF_COLUMNS.map((c) => `CASE WHEN h.mac IS NULL THEN c.${c} ELSE h.${c} END AS ${c}`);
  return {
    sql: `SELECT 0 AS edge, * FROM (SELECT * FROM (SELECT c.rowid AS k, c.mac AS mac, ${asOf.join(",\n    ")},
    ${nulSafeBytes("CASE WHEN h.mac IS NULL THEN c.ssid ELSE h.ssid END", "ssid_bytes")}
  FROM networks c NOT INDEXED
  LEFT JOIN network_history h ON h.mac = c.mac AND h.generation = CASE WHEN c.changed_generation > :g THEN
    (SELECT min(h2.generation) FROM network_history h2 WHERE h2.mac = c.mac AND h2.generation > :g) END
  WHERE c.rowid > :after AND c.rowid <= :stop AND coalesce(c.created_generation, 0) <= :g
    AND (c.changed_generation <= :g OR h.mac IS NOT NULL)) n
  WHERE ${filter.sql} ORDER BY k LIMIT :page)
${edge("networks", AS_OF_COLUMNS.length + 2)}`,
    args: { ...filter.args, g },
  };
}

/**
 * Pages of rows in rowid order (keyset: each statement starts after the last rowid seen, so no OFFSET and
 * constant memory); the next page is read only when the consumer asks for it, which is the back-pressure.
 * A page is full (`pageRows`) or ends a stretch of `scanRows` rowids; empty stretches are not yielded.
 */
export async function* exportPages(
  db: Client,
  selection: ExportSelection,
  pageRows = EXPORT_PAGE_ROWS,
  scanRows = EXPORT_SCAN_ROWS,
): AsyncGenerator<ExportObservation[] | ExportNetwork[]> {
  const statement =
    selection.what === "observations"
      ? observationPageStatement(selection.filters)
      : networkPageStatement(selection.filters, (await readMergeGeneration(db)).generation);
  const toRow: (r: Row) => ExportObservation | ExportNetwork =
    selection.what === "observations" ? observationRow : networkRow;
  let after = 0;
  let last: number | undefined; // the table's last rowid at the first page: where the walk ends
  for (;;) {
    const stop = last === undefined ? after + scanRows : Math.min(after + scanRows, last);
    const rs = await db.execute({
      sql: statement.sql,
      args: { ...statement.args, after, stop, page: pageRows },
    });
    const hits = rs.rows.filter((r) => Number(r.edge) === 0);
    last ??= Number(rs.rows.find((r) => Number(r.edge) === 1)?.k ?? 0);
    // A full page may have more hits after it in the stretch; otherwise the stretch is done.
    after = hits.length === pageRows ? Number(hits[hits.length - 1]?.k) : stop;
    if (hits.length > 0) yield hits.map(toRow) as ExportObservation[] | ExportNetwork[];
    if (hits.length < pageRows && after >= last) return;
  }
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function observationRow(r: Row): ExportObservation {
  return {
    deviceId: String(r.device_id),
    kind: String(r.kind),
    mac: String(r.mac),
    ssid: exactText(r.ssid, r.ssid_bytes),
    authMode: str(r.auth_mode),
    capabilities: str(r.capabilities),
    seenAt: Number(r.seen_at),
    channel: num(r.channel),
    frequencyMhz: num(r.frequency_mhz),
    rssiDbm: num(r.rssi_dbm),
    lat: num(r.lat),
    lon: num(r.lon),
    altitudeM: num(r.altitude_m),
    accuracyM: num(r.accuracy_m),
    rcois: str(r.rcois),
    mfgrId: num(r.mfgr_id),
  };
}

function networkRow(r: Row): ExportNetwork {
  return {
    kind: String(r.kind),
    mac: String(r.mac),
    ssid: exactText(r.ssid, r.ssid_bytes),
    authMode: str(r.auth_mode),
    channel: num(r.channel),
    frequencyMhz: num(r.frequency_mhz),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    observationCount: Number(r.observation_count),
    deviceCount: Number(r.device_count),
    bestRssiDbm: num(r.best_rssi_dbm),
    lat: num(r.lat),
    lon: num(r.lon),
    bestLat: num(r.best_lat),
    bestLon: num(r.best_lon),
  };
}
