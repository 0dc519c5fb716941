import type { InValue } from "@libsql/client";
import { OBSERVATION_KINDS } from "@piwardrive/shared-schema";
import {
  type Bbox,
  parseBbox,
  parseLimit,
  parseList,
  parseText,
  parseTimeRange,
  parseTransmitterId,
  type RawParams,
  rejectUnknown,
} from "./query-params.js";

/** Filters of GET /v1/observations and /v1/networks/{mac}/observations (exports of sightings take them too). */
export interface ObservationFilters {
  bbox?: Bbox;
  since?: number;
  until?: number;
  device?: string;
  mac?: string;
  kind?: string[];
}

export interface ObservationQuery {
  filters: ObservationFilters;
  limit: number;
  cursor?: string;
}

/** The filter parameters of GET /v1/observations (exports of observations take exactly these). */
export const OBSERVATION_FILTER_PARAMS = ["bbox", "since", "until", "device", "mac", "kind"] as const;

export const OBSERVATION_QUERY_PARAMS = [...OBSERVATION_FILTER_PARAMS, "limit", "cursor"] as const;

/** `fixedMac`: the path's MAC (then `mac` is not a query parameter). */
export function parseObservationQuery(params: RawParams, fixedMac?: string): ObservationQuery {
  rejectUnknown(
    params,
    OBSERVATION_QUERY_PARAMS.filter((p) => fixedMac === undefined || p !== "mac"),
  );
  const filters = parseObservationFilters(params);
  if (fixedMac !== undefined) filters.mac = fixedMac;
  const query: ObservationQuery = { filters, limit: parseLimit(params.limit) };
  if (params.cursor !== undefined) query.cursor = params.cursor;
  return query;
}

/**
 * The OBSERVATION_FILTER_PARAMS in `params` as values (the caller has refused unknown names); every bad
 * value is a 400 naming its parameter.
 */
export function parseObservationFilters(params: RawParams): ObservationFilters {
  const filters: ObservationFilters = {};
  const bbox = parseBbox(params.bbox);
  if (bbox) filters.bbox = bbox;
  Object.assign(filters, parseTimeRange(params));
  const device = parseText("device", params.device, 128);
  if (device !== undefined) filters.device = device;
  const mac = parseTransmitterId("mac", params.mac);
  if (mac !== undefined) filters.mac = mac;
  const kind = parseList("kind", params.kind, OBSERVATION_KINDS);
  if (kind) filters.kind = kind;
  return filters;
}

export interface SqlCondition {
  /** A boolean SQL expression (`true` for no condition). */
  sql: string;
  args: InValue[];
}

/**
 * The filters as SQL over observations aliased `o`, in two parts: `keyed` on the columns of the search's
 * key indexes (mac, seen_at), which the search applies while it walks an index, and `rest` (device, kind,
 * bbox), checked on each row found. Together they are the whole filter (the export ANDs them).
 */
export function observationFilterSql(f: ObservationFilters): { keyed: SqlCondition; rest: SqlCondition } {
  const keyed = condition();
  if (f.mac !== undefined) keyed.add("o.mac = ?", f.mac);
  if (f.since !== undefined) keyed.add("o.seen_at >= ?", f.since);
  if (f.until !== undefined) keyed.add("o.seen_at <= ?", f.until);
  const rest = condition();
  if (f.device !== undefined) rest.add("o.device_id = ?", f.device);
  if (f.kind) rest.add(`o.kind IN (${f.kind.map(() => "?").join(", ")})`, ...f.kind);
  if (f.bbox) {
    const b = f.bbox;
    rest.add("o.lon BETWEEN ? AND ? AND o.lat BETWEEN ? AND ?", b.minLon, b.maxLon, b.minLat, b.maxLat);
  }
  return { keyed: keyed.done(), rest: rest.done() };
}

function condition() {
  const parts: string[] = [];
  const args: InValue[] = [];
  return {
    add(sql: string, ...values: InValue[]) {
      parts.push(sql);
      args.push(...values);
    },
    done: (): SqlCondition => ({ sql: parts.length === 0 ? "true" : parts.join(" AND "), args }),
  };
}
