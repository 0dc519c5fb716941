import type { Client, InValue, Row } from "@libsql/client";
import { z } from "zod";
import { exactText, nulSafeBytes } from "../db/nul-safe-text.js";
import { iso } from "./network-view.js";
import {
  type ObservationFilters,
  type ObservationQuery,
  observationFilterSql,
} from "./observation-filters.js";
import { decodeCursor, encodeCursor, queryDigest } from "./page-cursor.js";
import { invalid } from "./query-params.js";

/*
 * Keyset pages of sightings ordered by (seen_at, device_id, run_id, seq). Observations are immutable and a
 * merge only adds rows, so the key alone is stable under concurrent merges (a sighting merged later with an
 * older seen_at than the cursor is not part of the walk: the walk lists what existed in key order, and a
 * mirror re-asks with `since`). Each page walks at most SCAN_BUDGET keys of an index (the covering
 * (seen_at, device_id, run_id, seq) index, or (mac, seen_at) for one transmitter) before the other filters;
 * a page that used up its budget answers what it found and a continuation cursor.
 */

export const OBSERVATION_SCAN_BUDGET = 20_000;

const cursorSchema = z.object({
  v: z.literal(1),
  d: z.string(),
  k: z.tuple([z.number().int(), z.string(), z.string(), z.number().int()]),
});

export interface ObservationView {
  deviceId: string;
  runId: string;
  seq: number;
  seenAt: string;
  kind: string;
  mac: string;
  ssid: string | null;
  authMode: string | null;
  channel: number | null;
  frequencyMhz: number | null;
  rssiDbm: number | null;
  lat: number | null;
  lon: number | null;
  accuracyM: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toView(r: Row): ObservationView {
  return {
    deviceId: String(r.device_id),
    runId: String(r.run_id),
    seq: Number(r.seq),
    seenAt: iso(r.seen_at),
    kind: String(r.kind),
    mac: String(r.mac),
    ssid: exactText(r.ssid, r.ssid_bytes),
    authMode: str(r.auth_mode),
    channel: num(r.channel),
    frequencyMhz: num(r.frequency_mhz),
    rssiDbm: num(r.rssi_dbm),
    lat: num(r.lat),
    lon: num(r.lon),
    accuracyM: num(r.accuracy_m),
  };
}

const KEY = "seen_at, device_id, run_id, seq";

/** The SQL of one page (hits, then the budget's edge); exported so a test can check its plan. */
export function observationPageSql(
  f: ObservationFilters,
  after: readonly InValue[] | undefined,
  limit: number,
  budget = OBSERVATION_SCAN_BUDGET,
): { hits: { sql: string; args: InValue[] }; edge: { sql: string; args: InValue[] } } {
  const { keyed, rest } = observationFilterSql(f);
  const inner = after ? `(${KEY}) > (?, ?, ?, ?) AND ${keyed.sql}` : keyed.sql;
  const innerArgs: InValue[] = after ? [...after, ...keyed.args] : keyed.args;
  const keys = `WITH keys AS (SELECT ${KEY} FROM observations o WHERE ${inner} ORDER BY ${KEY} LIMIT ?)`;
  const keyArgs = [...innerArgs, budget];
  return {
    hits: {
      sql: `${keys} SELECT o.*, ${nulSafeBytes("o.ssid")} FROM keys k CROSS JOIN observations o ON o.device_id = k.device_id AND o.run_id = k.run_id
  AND o.seq = k.seq WHERE ${rest.sql} ORDER BY k.seen_at, k.device_id, k.run_id, k.seq LIMIT ?`,
      args: [...keyArgs, ...rest.args, limit + 1],
    },
    edge: {
      sql: `${keys} SELECT (SELECT count(*) FROM keys) AS n, ${KEY} FROM keys
  ORDER BY seen_at DESC, device_id DESC, run_id DESC, seq DESC LIMIT 1`,
      args: keyArgs,
    },
  };
}

export interface ObservationPage {
  observations: ObservationView[];
  nextCursor: string | null;
}

/** `budget`: keys examined per page (tests lower it to reach the continuation path). */
export async function searchObservations(
  db: Client,
  query: ObservationQuery,
  budget = OBSERVATION_SCAN_BUDGET,
): Promise<ObservationPage> {
  const digest = queryDigest(query.filters);
  const cursor = decodeCursor(query.cursor, cursorSchema);
  if (cursor !== undefined && cursor.d !== digest)
    throw invalid("cursor", "this cursor belongs to a different query");
  const { hits, edge } = observationPageSql(query.filters, cursor?.k, query.limit, budget);
  // CROSS JOIN keeps the bounded key walk the outer loop (else a device filter walks all its rows).
  // One read transaction: the hits and the budget's edge see the same snapshot.
  const [hitRs, edgeRs] = await db.batch([hits, edge], "read");
  const rows = hitRs?.rows ?? [];
  const page = rows.slice(0, query.limit);
  const keyOf = (r: Row) =>
    [Number(r.seen_at), String(r.device_id), String(r.run_id), Number(r.seq)] as const;
  const edgeRow = edgeRs?.rows[0];
  let next: readonly [number, string, string, number] | null = null;
  const last = page.at(-1);
  if (rows.length > query.limit && last) next = keyOf(last);
  else if (edgeRow && Number(edgeRow.n) >= budget) next = keyOf(edgeRow);
  return {
    observations: page.map(toView),
    nextCursor: next === null ? null : encodeCursor({ v: 1, d: digest, k: next }),
  };
}
