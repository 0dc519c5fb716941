import type { Client, InStatement, InValue } from "@libsql/client";
import { networkCellSql } from "@piwardrive/shared-schema/cloud";
import { z } from "zod";
import { CursorExpiredError } from "../errors.js";
import { pinSearchGeneration } from "../services/merge-generation.js";
import { cellCount, cellsCovering } from "./geo-cells.js";
import {
  type NetworkFilters,
  type NetworkQuery,
  type NetworkSort,
  networkFilterSql,
} from "./network-filters.js";
import {
  FIELD_AT,
  type JsonCell,
  NETWORK_FIELDS,
  type NetworkView,
  networkJsonPage,
  networkViewFromCells,
  parseNetworkJsonPage,
} from "./network-view.js";
import { decodeCursor, encodeCursor, queryDigest } from "./page-cursor.js";
import { invalid } from "./query-params.js";

/*
 * GET /v1/networks as a service. Exact pages while merges run (docs/decisions/0012-as-of-search-cursors.md):
 * the first page pins the merge generation G; every page reads the networks *as of G*: the current rows
 * not changed after G, plus for the others the history row that holds what they were at G, so sort keys
 * and filters never move under a walk.
 *
 * How a page is read (docs/decisions/0032-search-access-paths.md), in this order of preference:
 * - **index**: ssid or ssidPrefix matching at most CANDIDATE_CAP networks (a capped count of entries of
 *   the ssid index tells) is answered from that index: every candidate is read and sorted, the page is
 *   complete.
 * - **cells**: a bbox of at most MAX_BBOX_CELLS map cells: the entries of those cells in the cell index
 *   (shared-schema networkCellSql) are tested against the box and sorted, ids and sort keys only, and the
 *   page's rows read by id. The page is complete, and what it reads is bounded by the area, not the fleet
 *   (decision 0032 has the alternatives measured: cell-by-cell merges, walks).
 * - **walk**: otherwise the current rows are walked in sort order on a covering index, at most `budget`
 *   of them per page; bbox and time filters are tested on the index entry, the row is read only for the
 *   others and for hits, and the walk stops at the page's last hit. A selective filter over a large fleet
 *   answers fewer rows and a continuation cursor (after the last row examined) instead of a long scan.
 * The as-of history rows (few: only networks changed since G while a walk is pinned) are read by a
 * second statement, after the first, and merged in sort order (see searchNetworks for why that order).
 */

export const SCAN_BUDGET = 20_000;

/** An index filter that matches at most this many networks is answered from its index. */
export const CANDIDATE_CAP = 2_000;

/** A bbox over more map cells than this (~8 x 8 km) is walked instead (a big box matches often). */
export const MAX_BBOX_CELLS = 64;

const CELL_INDEX = "cloud_networks_cell_seen_idx";

/** Every page statement answers one JSON text of rows `edge, <NETWORK_FIELDS>` (network-view.ts). */
const LEADING = ["edge"] as const;
const qualified = NETWORK_FIELDS.map((f) => `n.${f}`).join(", ");

/**
 * How long a walk may take from its first page: the as-of history its cursor reads is pruned after that
 * (pruneNetworkHistory), so an older cursor is refused with 400 cursor_expired rather than answered from
 * a history with holes.
 */
export const CURSOR_LIFETIME_MS = 24 * 60 * 60 * 1000;

const cursorSchema = z.object({
  v: z.literal(1),
  g: z.number().int().nonnegative(),
  /** When the first page was asked (epoch ms, the API's clock). */
  t: z.number().int().nonnegative(),
  s: z.enum(["-lastSeen", "lastSeen", "-rssi"]),
  d: z.string(),
  k: z.tuple([z.number().int().nullable(), z.string()]),
});
type SearchCursor = z.infer<typeof cursorSchema>;
type SortKey = SearchCursor["k"];

interface SortSpec {
  column: "last_seen" | "best_rssi_dbm";
  order: string;
  after: string;
  /** The index a walk in this order reads. */
  walkIndex: string;
  /** -1: a before b in this order; NULL keys sort as SQLite does (lowest). */
  compare: (a: SortKey, b: SortKey) => number;
}

const ascending = (a: SortKey, b: SortKey) => {
  if (a[0] !== b[0]) return a[0] === null ? -1 : b[0] === null ? 1 : a[0] - b[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
};

const SORTS: Record<NetworkSort, SortSpec> = {
  "-lastSeen": {
    column: "last_seen",
    order: "last_seen DESC, mac DESC",
    after: "(last_seen, mac) < (:k0, :k1)",
    walkIndex: "cloud_networks_seen_walk_idx",
    compare: (a, b) => ascending(b, a),
  },
  lastSeen: {
    column: "last_seen",
    order: "last_seen ASC, mac ASC",
    after: "(last_seen, mac) > (:k0, :k1)",
    walkIndex: "cloud_networks_seen_walk_idx",
    compare: ascending,
  },
  // DESC puts networks without an RSSI last; a cursor on one of them continues among them only.
  "-rssi": {
    column: "best_rssi_dbm",
    order: "best_rssi_dbm DESC, mac DESC",
    after:
      "(CASE WHEN :k0 IS NULL THEN best_rssi_dbm IS NULL AND mac < :k1 ELSE (best_rssi_dbm, mac) < (:k0, :k1) OR best_rssi_dbm IS NULL END)",
    walkIndex: "cloud_networks_rssi_mac_idx",
    compare: (a, b) => ascending(b, a),
  },
};

/** Where a page's rows come from: the candidates of one index filter, the cells of a bbox, or a walk. */
export type SearchAccess =
  | { kind: "index"; index: string; sql: string; args: InValue[] }
  | { kind: "cells"; cells: number[] }
  | { kind: "walk" };
type IndexAccess = Extract<SearchAccess, { kind: "index" }>;
export type SearchPath = SearchAccess["kind"];
const ALL_PATHS: readonly SearchPath[] = ["index", "cells", "walk"];

/** The filters that have an index of their own, as conditions on that index (with the same values). */
export function indexedFilters(f: NetworkFilters): IndexAccess[] {
  const paths: IndexAccess[] = [];
  if (f.ssid !== undefined) {
    paths.push({ kind: "index", index: "cloud_networks_ssid_lat_idx", sql: "n.ssid = ?", args: [f.ssid] });
  } else if (f.ssidPrefix !== undefined) {
    const upper = prefixUpperBound(f.ssidPrefix);
    if (upper !== undefined) {
      paths.push({
        kind: "index",
        index: "cloud_networks_ssid_lat_idx",
        sql: "n.ssid >= ? AND n.ssid < ?",
        args: [f.ssidPrefix, upper],
      });
    }
  }
  return paths;
}

/**
 * The least string above every string that starts with `prefix`, in SQLite's BINARY order (UTF-8 bytes,
 * i.e. code point order): the prefix with its last code point incremented (surrogates skipped); undefined
 * when there is none (a prefix of U+10FFFF only).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    let last = (points.pop() ?? 0) + 1;
    if (last === 0xd800) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return undefined;
}

/** How many networks an index filter matches, counted on the index and capped (cheap either way). */
export function candidateCountStatement(
  path: Extract<SearchAccess, { kind: "index" }>,
  cap: number,
): InStatement {
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM networks n INDEXED BY ${path.index} WHERE ${path.sql} LIMIT ?)`,
    args: [...path.args, cap + 1],
  };
}

/**
 * The index filter with the fewest candidates if it has at most `cap`, else the cells of a small enough
 * bbox, else a walk (`paths`: the ones allowed; tests force each in turn).
 */
async function chooseAccess(
  db: Client,
  filters: NetworkFilters,
  cap: number,
  paths: readonly SearchPath[],
): Promise<SearchAccess> {
  let best: { access: SearchAccess; count: number } | undefined;
  for (const path of paths.includes("index") ? indexedFilters(filters) : []) {
    const rs = await db.execute(candidateCountStatement(path, cap));
    const count = Number(rs.rows[0]?.n ?? cap + 1);
    if (count <= cap && (best === undefined || count < best.count)) best = { access: path, count };
  }
  if (best) return best.access;
  const { bbox } = filters;
  if (paths.includes("cells") && bbox && cellCount(bbox) <= MAX_BBOX_CELLS) {
    return { kind: "cells", cells: cellsCovering(bbox) };
  }
  return { kind: "walk" };
}

function named(prefix: string, args: readonly InValue[], sql: string, into: Record<string, InValue>): string {
  args.forEach((a, i) => {
    into[`${prefix}${i}`] = a;
  });
  let i = 0;
  return sql.replace(/\?/g, () => `:${prefix}${i++}`);
}

/** What every page statement shares: the sort, the named arguments, the cursor and time-range bounds. */
interface PageParts {
  spec: SortSpec;
  args: Record<string, InValue>;
  /** ` AND <after the cursor>` or "". */
  after: string;
  /** ` AND last_seen >= :since ...` when sorted by last_seen (an index range for walks and cells). */
  bounds: string;
}

function pageParts(
  query: Pick<NetworkQuery, "filters" | "sort" | "limit">,
  g: number,
  after?: SortKey,
): PageParts {
  const spec = SORTS[query.sort];
  const args: Record<string, InValue> = { g, lim: query.limit + 1 };
  if (after) {
    args.k0 = after[0];
    args.k1 = after[1];
  }
  let bounds = "";
  const { since, until } = query.filters;
  if (spec.column === "last_seen" && since !== undefined) {
    bounds += " AND last_seen >= :since";
    args.since = since;
  }
  if (spec.column === "last_seen" && until !== undefined) {
    bounds += " AND last_seen <= :until";
    args.until = until;
  }
  return { spec, args, after: after ? ` AND ${spec.after}` : "", bounds };
}

/**
 * The page's statement over the current networks rows (`changed_generation <= g`) by `access`: one JSON
 * text of rows `edge, <NETWORK_FIELDS>`, hits with edge 0 and, for a walk that used up its budget with at
 * most `limit` hits, the last row examined with edge 1. Exported for the hot-statement plan checks.
 */
export function networkSearchStatement(
  query: Pick<NetworkQuery, "filters" | "sort" | "limit">,
  g: number,
  after: SortKey | undefined,
  access: SearchAccess = { kind: "walk" },
  budget = SCAN_BUDGET,
): InStatement {
  const parts = pageParts(query, g, after);
  const sql =
    access.kind === "index"
      ? indexPageSql(query.filters, g, access, parts)
      : access.kind === "cells"
        ? cellsPageSql(query.filters, g, access.cells, parts)
        : walkPageSql(query.filters, g, budget, parts);
  return { sql: networkJsonPage(sql, LEADING), args: parts.args };
}

/** Every candidate of the index filter, tested and sorted. */
function indexPageSql(filters: NetworkFilters, g: number, access: IndexAccess, p: PageParts): string {
  const filter = networkFilterSql(filters, g);
  const where = `${named("i", access.args, access.sql, p.args)} AND ${named("f", filter.args, filter.sql, p.args)}`;
  return `SELECT 0 AS edge, ${NETWORK_FIELDS.join(", ")} FROM networks n INDEXED BY ${access.index}
WHERE n.changed_generation <= :g AND ${where}${p.after} ORDER BY ${p.spec.order} LIMIT :lim`;
}

/**
 * The networks of the box's cells, tested and sorted on the cell index (ids and keys only: it covers the
 * bbox, time and as-of tests), then the page's rows read by id.
 */
function cellsPageSql(filters: NetworkFilters, g: number, cells: number[], p: PageParts): string {
  const filter = networkFilterSql(filters, g, "c");
  const list = cells.map((cell, i) => {
    p.args[`cell${i}`] = cell;
    return `:cell${i}`;
  });
  return `SELECT 0 AS edge, ${qualified} FROM (SELECT c.rowid AS id FROM networks c INDEXED BY ${CELL_INDEX}
  WHERE ${networkCellSql("c.lat", "c.lon")} IN (${list.join(", ")}) AND c.changed_generation <= :g${p.after}${p.bounds}
    AND ${named("f", filter.args, filter.sql, p.args)}
  ORDER BY ${p.spec.order} LIMIT :lim) w CROSS JOIN networks n ON n.rowid = w.id`;
}

/** Filters tested on a walk's index entries (the rest need the row). */
const WALK_FILTERS = ["bbox", "since", "until"] as const;

/**
 * At most `budget` current rows in sort order on the sort's index; bbox and time tested on the entry, the
 * row read for the other filters and for hits. The walk is a co-routine: the join reads it in order, so
 * LIMIT :lim stops it at the page's last hit. When the page comes out short, a second walk finds the
 * budget's last row (edge 1), where the next page continues.
 */
function walkPageSql(filters: NetworkFilters, g: number, budget: number, p: PageParts): string {
  p.args.cap = budget;
  const cheap: NetworkFilters = {};
  const rest: NetworkFilters = { ...filters };
  for (const k of WALK_FILTERS) {
    if (filters[k] !== undefined) Object.assign(cheap, { [k]: filters[k] });
    delete rest[k];
  }
  const walk = `SELECT rowid AS id, last_seen, best_rssi_dbm, mac, lat, lon FROM networks INDEXED BY ${p.spec.walkIndex}
  WHERE changed_generation <= :g${p.after}${p.bounds} ORDER BY ${p.spec.order}`;
  const cheapSql = networkFilterSql(cheap, g, "w");
  const restSql = networkFilterSql(rest, g);
  const where = `${named("c", cheapSql.args, cheapSql.sql, p.args)} AND ${named("f", restSql.args, restSql.sql, p.args)}`;
  const edgeColumns = NETWORK_FIELDS.map((f) =>
    f === "mac" || f === p.spec.column ? `e.${f}` : `NULL AS ${f}`,
  ).join(", ");
  return `WITH hits AS MATERIALIZED (SELECT ${qualified}
  FROM (${walk} LIMIT :cap) w CROSS JOIN networks n ON n.rowid = w.id WHERE ${where} LIMIT :lim)
SELECT 0 AS edge, * FROM hits
UNION ALL
SELECT 1 AS edge, ${edgeColumns} FROM (${walk} LIMIT 1 OFFSET :cap - 1) e WHERE (SELECT count(*) FROM hits) < :lim`;
}

/**
 * The as-of history rows that match: what networks changed after G were at G. Exported for the
 * hot-statement plan checks.
 */
export function networkHistoryStatement(
  query: Pick<NetworkQuery, "filters" | "sort" | "limit">,
  g: number,
  after: SortKey | undefined,
): InStatement {
  const p = pageParts(query, g, after);
  const filter = networkFilterSql(query.filters, g);
  return {
    sql: networkJsonPage(
      `SELECT 0 AS edge, ${NETWORK_FIELDS.join(", ")} FROM network_history n
WHERE n.generation > :g AND coalesce(n.created_generation, 0) <= :g
  AND n.generation = (SELECT min(h2.generation) FROM network_history h2 WHERE h2.mac = n.mac AND h2.generation > :g)
  AND ${named("f", filter.args, filter.sql, p.args)}${p.after}${p.bounds}
ORDER BY ${p.spec.order} LIMIT :lim`,
      LEADING,
    ),
    args: p.args,
  };
}

export interface NetworkPage {
  networks: NetworkView[];
  nextCursor: string | null;
}

export interface SearchOptions {
  /** Rows a walk examines per page (tests lower it to reach the continuation path). */
  budget?: number;
  /** The clock (epoch ms). */
  now?: number;
  /** The access paths the search may take (tests force each in turn); all by default. */
  paths?: readonly SearchPath[];
}

export async function searchNetworks(
  db: Client,
  query: NetworkQuery,
  { budget = SCAN_BUDGET, now = Date.now(), paths = ALL_PATHS }: SearchOptions = {},
): Promise<NetworkPage> {
  const digest = queryDigest({ f: query.filters, s: query.sort });
  const cursor = decodeCursor(query.cursor, cursorSchema);
  if (cursor !== undefined && (cursor.d !== digest || cursor.s !== query.sort)) {
    throw invalid("cursor", "this cursor belongs to a different query");
  }
  if (cursor !== undefined && now - cursor.t > CURSOR_LIFETIME_MS) {
    throw new CursorExpiredError(
      `parameter "cursor": this walk started more than ${CURSOR_LIFETIME_MS / 3_600_000} h ago and its history is no longer kept; start again without a cursor`,
    );
  }
  const g = cursor?.g ?? (await pinSearchGeneration(db));
  const t = cursor?.t ?? now;
  const spec = SORTS[query.sort];
  // Rows are `edge, <NETWORK_FIELDS>` (LEADING): cells[0] is the edge flag.
  const column = 1 + FIELD_AT[spec.column];
  const mac = 1 + FIELD_AT.mac;
  const keyOf = (r: JsonCell[]): SortKey => [r[column] === null ? null : Number(r[column]), String(r[mac])];
  // Examined rows stay within the budget either way: the index path only takes up to min(cap, budget).
  const access = await chooseAccess(db, query.filters, Math.min(CANDIDATE_CAP, budget), paths);
  const current = await db.execute(networkSearchStatement(query, g, cursor?.k, access, budget));
  // After the current rows, never before: a network missing from them (changed after G) had its history
  // row written by the merge that changed it, so it is found here; one changed in between is in both,
  // with the same values (what it was at G), and is kept once.
  const history = await db.execute(networkHistoryStatement(query, g, cursor?.k));
  const currentRows = parseNetworkJsonPage(current.rows[0]?.page);
  const historyRows = parseNetworkJsonPage(history.rows[0]?.page);
  const edgeRow = currentRows.find((r) => r[0] === 1);
  const edge = edgeRow === undefined ? undefined : keyOf(edgeRow);
  const seen = new Set<string>();
  const once = (r: JsonCell[]) => {
    const id = String(r[mac]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  const hits = [
    ...currentRows.filter((r) => r[0] === 0),
    // History rows past the last row the walk examined belong to a later page.
    ...historyRows.filter((r) => edge === undefined || spec.compare(keyOf(r), edge) <= 0),
  ]
    .sort((a, b) => spec.compare(keyOf(a), keyOf(b)))
    .filter(once);
  const page = hits.slice(0, query.limit);
  const last = page.at(-1);
  // More hits than the page: continue after its last row. Budget used up: continue after the last row
  // examined (the rows between it and the last hit matched nothing).
  let next: SortKey | null = null;
  if (hits.length > query.limit && last) next = keyOf(last);
  else if (edge) next = edge;
  return {
    networks: page.map((r) => networkViewFromCells(r, 1)),
    nextCursor: next === null ? null : encodeCursor({ v: 1, g, t, s: query.sort, d: digest, k: next }),
  };
}
