import type { Client, InValue } from "@libsql/client";
import { type NetworkFilters, networkFilterSql } from "../analyst/network-filters.js";
import { NETWORK_FIELDS } from "../analyst/network-view.js";
import { type ObservationFilters, observationFilterSql } from "../analyst/observation-filters.js";
import { pinSearchGeneration } from "../services/merge-generation.js";
import type { ExportNetwork, ExportObservation } from "./export-rows.js";

/*
 * The rows of an export, page by page, in rowid order. Decision record 0030:
 * - filters are the search routes' own (analyst/*-filters.ts), parsed and turned into SQL by the same code;
 * - pages are keyset on rowid over a walk of at most `scanRows` rowids per statement (NOT INDEXED: the
 *   plan is the same rowid range search whatever the filter, so every statement is bounded and the whole
 *   export is one pass over the table, never an index walk re-sorted by rowid page after page);
 * - an export of networks reads them as of the merge generation G it pins when it starts, as the first page
 *   of a search does (the as-of view of the paged search, decisions 0012 and 0022: merges keep the history a
 *   pinned generation needs): a long export is one consistent snapshot while batches merge, and
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

/*
 * A page comes back as ONE JSON text (an array of row arrays), parsed by one JSON.parse: @libsql/client
 * builds every column of every row as a defined property, which was most of an export's CPU (profile of a
 * WiGLE export of the bench database: 44 % in its rowFromSql, 17 % GC, 20,000 rows/s in all). REALs go in
 * as `printf('%!.17g')` text: SQLite's JSON prints REALs with 15 significant digits, which does not
 * round-trip every double, while 17 do, so Number() gives back the stored value exactly. Most REALs (GPS
 * fixes with 7 decimals, altitudes, accuracies) are an integer count n of 1e-9, though: those come as the
 * JSON integer n instead, read back as n / 1e9, the same IEEE division SQLite checked (`x = n / 1e9`,
 * |x| < 1e6 so |n| < 2^53 and JSON.parse reads n exactly): no float-to-text in SQLite, no 17-digit parse
 * in JS (1.0 -> 0.8 s of SQLite and ~0.1 -> 0 us per REAL in JS, bench database). n is the page's inner
 * `<column>_e9`; 0 takes the text path, so -0 stays -0. Text goes through SQLite's JSON escaping whole, so
 * an SSID with a NUL byte comes back exact (the libsql client's TEXT reader would cut it there:
 * db/nul-safe-text.ts).
 */
const SCALE = 1_000_000_000;
const scaled = (column: string, table = "") =>
  `CAST(round(${table}${column} * ${SCALE}.0) AS INTEGER) AS ${column}_e9`;
const realSql = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN NULL WHEN abs(${column}) < 1000000.0 AND ${column} <> 0 AND ${column} = ${column}_e9 / ${SCALE}.0 THEN ${column}_e9 ELSE printf('%!.17g', ${column}) END`;
const OBSERVATION_REALS = ["lat", "lon", "altitude_m", "accuracy_m"];
const OBSERVATION_JSON = `k, device_id, kind, mac, ssid, auth_mode, capabilities, seen_at, channel, frequency_mhz,
  rssi_dbm, ${OBSERVATION_REALS.map(realSql).join(", ")}, rcois, mfgr_id`;
const NETWORK_REALS = ["lat", "lon", "best_lat", "best_lon"];
const NETWORK_JSON = `k, kind, mac, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen,
  observation_count, device_count, best_rssi_dbm, ${NETWORK_REALS.map(realSql).join(", ")}`;
const AS_OF_COLUMNS = NETWORK_FIELDS.filter((c) => c !== "mac");

/**
 * One statement: the page of hits in the rowid range (after, stop] as one JSON text (`page`), and the
 * table's last rowid (`last`), where the walk ends.
 */
interface PageStatement {
  sql: string;
  /** Named arguments besides :after, :stop and :page. */
  args: Record<string, InValue>;
}

const jsonPage = (table: string, json: string, hits: string) =>
  `SELECT json_group_array(json_array(${json})) AS page, (SELECT max(rowid) FROM ${table}) AS last
FROM (${hits})`;

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
    sql: jsonPage(
      "observations",
      OBSERVATION_JSON,
      `SELECT o.rowid AS k, o.*, ${OBSERVATION_REALS.map((c) => scaled(c, "o.")).join(", ")}
  FROM observations o NOT INDEXED
  WHERE o.rowid > :after AND o.rowid <= :stop AND ${filter.sql} ORDER BY o.rowid LIMIT :page`,
    ),
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
    sql: jsonPage(
      "networks",
      NETWORK_JSON,
      `SELECT *, ${NETWORK_REALS.map((c) => scaled(c)).join(", ")} FROM (SELECT c.rowid AS k, c.mac AS mac, ${asOf.join(",\n    ")}
  FROM networks c NOT INDEXED
  LEFT JOIN network_history h ON h.mac = c.mac AND h.generation = CASE WHEN c.changed_generation > :g THEN
    (SELECT min(h2.generation) FROM network_history h2 WHERE h2.mac = c.mac AND h2.generation > :g) END
  WHERE c.rowid > :after AND c.rowid <= :stop AND coalesce(c.created_generation, 0) <= :g
    AND (c.changed_generation <= :g OR h.mac IS NOT NULL)) n
  WHERE ${filter.sql} ORDER BY k LIMIT :page`,
    ),
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
      : networkPageStatement(selection.filters, await pinSearchGeneration(db));
  const toRow: (r: JsonCell[]) => ExportObservation | ExportNetwork =
    selection.what === "observations" ? observationRow : networkRow;
  let after = 0;
  let last: number | undefined; // the table's last rowid at the first page: where the walk ends
  for (;;) {
    const stop = last === undefined ? after + scanRows : Math.min(after + scanRows, last);
    const page = await readPage(db, statement, { after, stop, page: pageRows }, toRow);
    last ??= page.last;
    // A full page may have more hits after it in the stretch; otherwise the stretch is done.
    after = page.rows.length === pageRows ? page.lastKey : stop;
    if (page.rows.length > 0) yield page.rows as ExportObservation[] | ExportNetwork[];
    if (page.rows.length < pageRows && after >= last) return;
  }
}

/**
 * One statement's page as rows. Its own function so that the JSON text (~300 kB, a large object for V8)
 * and the parsed cells are garbage once it returns, not held by the generator while the page is written:
 * a young collection then finds them dead instead of moving them to the old generation.
 */
async function readPage<R>(
  db: Client,
  statement: PageStatement,
  range: { after: number; stop: number; page: number },
  toRow: (r: JsonCell[]) => R,
): Promise<{ rows: R[]; lastKey: number; last: number }> {
  const rs = await db.execute({ sql: statement.sql, args: { ...statement.args, ...range } });
  const hits = JSON.parse(String(rs.rows[0]?.page ?? "[]")) as JsonCell[][];
  // SQLite aggregates the ordered subquery in its order (an ORDER BY inside the aggregate costs a sort
  // per page); should a plan ever differ, sort here rather than emit rows out of order.
  if (!hits.every((r, i) => i === 0 || Number(r[0]) > Number(hits[i - 1]?.[0]))) {
    hits.sort((a, b) => Number(a[0]) - Number(b[0]));
  }
  return {
    rows: hits.map(toRow),
    lastKey: Number(hits[hits.length - 1]?.[0]),
    last: Number(rs.rows[0]?.last ?? 0),
  };
}

/** A REAL cell: NULL, the integer n of n / 1e9, or the 17-digit text. */
const realCell = (v: JsonCell) => (v === null ? null : typeof v === "number" ? v / SCALE : Number(v));

type JsonCell = string | number | null;

function observationRow(r: JsonCell[]): ExportObservation {
  return {
    deviceId: String(r[1]),
    kind: String(r[2]),
    mac: String(r[3]),
    ssid: r[4] as string | null,
    authMode: r[5] as string | null,
    capabilities: r[6] as string | null,
    seenAt: Number(r[7]),
    channel: r[8] as number | null,
    frequencyMhz: r[9] as number | null,
    rssiDbm: r[10] as number | null,
    lat: realCell(r[11] ?? null),
    lon: realCell(r[12] ?? null),
    altitudeM: realCell(r[13] ?? null),
    accuracyM: realCell(r[14] ?? null),
    rcois: r[15] as string | null,
    mfgrId: r[16] as number | null,
  };
}

function networkRow(r: JsonCell[]): ExportNetwork {
  return {
    kind: String(r[1]),
    mac: String(r[2]),
    ssid: r[3] as string | null,
    authMode: r[4] as string | null,
    channel: r[5] as number | null,
    frequencyMhz: r[6] as number | null,
    firstSeen: Number(r[7]),
    lastSeen: Number(r[8]),
    observationCount: Number(r[9]),
    deviceCount: Number(r[10]),
    bestRssiDbm: r[11] as number | null,
    lat: realCell(r[12] ?? null),
    lon: realCell(r[13] ?? null),
    bestLat: realCell(r[14] ?? null),
    bestLon: realCell(r[15] ?? null),
  };
}
