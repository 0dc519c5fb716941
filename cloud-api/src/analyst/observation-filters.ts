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

/** Filters of GET /v1/observations and /v1/networks/{mac}/observations (exports reuse them). */
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

export const OBSERVATION_QUERY_PARAMS = [
  "bbox",
  "since",
  "until",
  "device",
  "mac",
  "kind",
  "limit",
  "cursor",
] as const;

/** `fixedMac`: the path's MAC (then `mac` is not a query parameter). */
export function parseObservationQuery(params: RawParams, fixedMac?: string): ObservationQuery {
  rejectUnknown(
    params,
    OBSERVATION_QUERY_PARAMS.filter((p) => fixedMac === undefined || p !== "mac"),
  );
  const mac = fixedMac ?? parseTransmitterId("mac", params.mac);
  const filters: ObservationFilters = {};
  const bbox = parseBbox(params.bbox);
  if (bbox) filters.bbox = bbox;
  Object.assign(filters, parseTimeRange(params));
  const device = parseText("device", params.device, 128);
  if (device !== undefined) filters.device = device;
  if (mac !== undefined) filters.mac = mac;
  const kind = parseList("kind", params.kind, OBSERVATION_KINDS);
  if (kind) filters.kind = kind;
  const query: ObservationQuery = { filters, limit: parseLimit(params.limit) };
  if (params.cursor !== undefined) query.cursor = params.cursor;
  return query;
}
