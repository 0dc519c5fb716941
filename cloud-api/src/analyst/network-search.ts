import type { Client, InStatement, InValue } from "@libsql/client";
import { z } from "zod";
import { CursorExpiredError } from "../errors.js";
import { pinSearchGeneration } from "../services/merge-generation.js";
import { type NetworkQuery, type NetworkSort, networkFilterSql } from "./network-filters.js";
import { NETWORK_COLUMNS, type NetworkView, toNetworkView } from "./network-view.js";
import { decodeCursor, encodeCursor, queryDigest } from "./page-cursor.js";
import { invalid } from "./query-params.js";

/*
 * GET /v1/networks as a service. Exact pages while merges run (docs/decisions/0012-as-of-search-cursors.md):
 * the first page pins the merge generation G; every page reads the networks *as of G* (current rows not
 * changed after G, plus for the others the history row that holds what they were at G), so sort keys and
 * filters never move under a walk. Each page examines at most SCAN_BUDGET rows in sort order (a bounded
 * index walk): a selective filter over a large fleet answers fewer rows and a continuation cursor instead
 * of a long scan, so no query stalls the API.
 */

export const SCAN_BUDGET = 20_000;

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

const AS_OF = `SELECT ${NETWORK_COLUMNS} FROM networks WHERE changed_generation <= :g
UNION ALL
SELECT ${NETWORK_COLUMNS} FROM network_history h WHERE h.generation > :g AND coalesce(h.created_generation, 0) <= :g
  AND h.generation = (SELECT min(h2.generation) FROM network_history h2 WHERE h2.mac = h.mac AND h2.generation > :g)`;

interface SortSpec {
  column: string;
  order: string;
  reverse: string;
  after: string;
}
const SORTS: Record<NetworkSort, SortSpec> = {
  "-lastSeen": {
    column: "last_seen",
    order: "last_seen DESC, mac DESC",
    reverse: "last_seen ASC, mac ASC",
    after: "(last_seen, mac) < (:k0, :k1)",
  },
  lastSeen: {
    column: "last_seen",
    order: "last_seen ASC, mac ASC",
    reverse: "last_seen DESC, mac DESC",
    after: "(last_seen, mac) > (:k0, :k1)",
  },
  // DESC puts networks without an RSSI last; a cursor on one of them continues among them only.
  "-rssi": {
    column: "best_rssi_dbm",
    order: "best_rssi_dbm DESC, mac DESC",
    reverse: "best_rssi_dbm ASC, mac ASC",
    after:
      "(CASE WHEN :k0 IS NULL THEN best_rssi_dbm IS NULL AND mac < :k1 ELSE (best_rssi_dbm, mac) < (:k0, :k1) OR best_rssi_dbm IS NULL END)",
  },
};

export interface NetworkPage {
  networks: NetworkView[];
  nextCursor: string | null;
}

/**
 * The one statement of a search page: hits (edge 0) and, when the budget was used up, the last row
 * examined (edge 1). Exported for the hot-statement plan checks (db/hot-statements.ts).
 */
export function networkSearchStatement(
  query: Pick<NetworkQuery, "filters" | "sort" | "limit">,
  g: number,
  after: SearchCursor["k"] | undefined,
  budget = SCAN_BUDGET,
): InStatement {
  const spec = SORTS[query.sort];
  const filter = networkFilterSql(query.filters, g);
  const named: Record<string, InValue> = { g, cap: budget, lim: query.limit + 1 };
  filter.args.forEach((a, i) => {
    named[`f${i}`] = a;
  });
  let i = 0;
  const where = filter.sql.replace(/\?/g, () => `:f${i++}`);
  if (after) {
    named.k0 = after[0];
    named.k1 = after[1];
  }
  const sql = `WITH scanned AS MATERIALIZED (SELECT * FROM (${AS_OF}) ${after ? `WHERE ${spec.after}` : ""}
    ORDER BY ${spec.order} LIMIT :cap),
  hits AS (SELECT * FROM scanned n WHERE ${where} ORDER BY ${spec.order} LIMIT :lim)
SELECT 0 AS edge, * FROM hits
UNION ALL SELECT 1 AS edge, * FROM (SELECT * FROM scanned ORDER BY ${spec.reverse} LIMIT 1)
WHERE (SELECT count(*) FROM scanned) >= :cap`;
  return { sql, args: named };
}

/** `budget`: rows examined per page (tests lower it to reach the continuation path); `now`: the clock. */
export async function searchNetworks(
  db: Client,
  query: NetworkQuery,
  budget = SCAN_BUDGET,
  now = Date.now(),
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
  const rs = await db.execute(networkSearchStatement(query, g, cursor?.k, budget));
  const hits = rs.rows.filter((r) => Number(r.edge) === 0);
  const edge = rs.rows.find((r) => Number(r.edge) === 1);
  const page = hits.slice(0, query.limit);
  const keyOf = (r: (typeof rs.rows)[number]): SearchCursor["k"] => [
    r[spec.column] === null ? null : Number(r[spec.column]),
    String(r.mac),
  ];
  const last = page.at(-1);
  let next: SearchCursor["k"] | null = null;
  // More hits than the page: continue after its last row. Budget used up: continue after the last row
  // examined (the rows between it and the last hit matched nothing).
  if (hits.length > query.limit && last) next = keyOf(last);
  else if (edge) next = keyOf(edge);
  return {
    networks: page.map(toNetworkView),
    nextCursor: next === null ? null : encodeCursor({ v: 1, g, t, s: query.sort, d: digest, k: next }),
  };
}
