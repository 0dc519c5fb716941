import { z } from "zod";
import { decodeCursor, encodeCursor, queryDigest } from "../analyst/page-cursor.js";
import {
  invalid,
  parseBbox,
  parseLimit,
  parseList,
  parseText,
  parseTimeRange,
  parseTransmitterId,
  type RawParams,
  rejectUnknown,
} from "../analyst/query-params.js";
import { ALERT_RULE_TYPES } from "./alert-rules.js";
import type { AlertFilter } from "./alert-store.js";

/*
 * GET /v1/alerts parameters as an AlertFilter. since/until are on raised_at; bbox on where the first
 * sighting that raised it was; the cursor is the last id of the page (ids only grow, newest first) bound to
 * the filters it was issued for.
 */

export const ALERT_QUERY_PARAMS = [
  "type",
  "mac",
  "ssid",
  "bbox",
  "since",
  "until",
  "acknowledged",
  "limit",
  "cursor",
] as const;

const cursorSchema = z.strictObject({ b: z.number().int().positive(), q: z.string() });

export function parseAlertQuery(params: RawParams): AlertFilter {
  rejectUnknown(params, ALERT_QUERY_PARAMS);
  const filter: AlertFilter = { limit: parseLimit(params.limit) };
  const [type, ...more] = parseList("type", params.type, ALERT_RULE_TYPES) ?? [];
  if (more.length > 0) throw invalid("type", "one type at a time");
  if (type !== undefined) filter.type = type;
  const mac = parseTransmitterId("mac", params.mac);
  if (mac !== undefined) filter.mac = mac;
  const ssid = parseText("ssid", params.ssid);
  if (ssid !== undefined) filter.ssid = ssid;
  const bbox = parseBbox(params.bbox);
  if (bbox !== undefined) filter.bbox = [bbox.minLon, bbox.minLat, bbox.maxLon, bbox.maxLat];
  Object.assign(filter, parseTimeRange(params));
  if (params.acknowledged !== undefined) {
    if (params.acknowledged !== "true" && params.acknowledged !== "false")
      throw invalid("acknowledged", "expected true or false");
    filter.acknowledged = params.acknowledged === "true";
  }
  const cursor = decodeCursor(params.cursor, cursorSchema);
  if (cursor !== undefined) {
    if (cursor.q !== digestOf(filter)) throw invalid("cursor", "issued for other filters");
    filter.beforeId = cursor.b;
  }
  return filter;
}

/** The cursor of the page after one that ended at `beforeId` (null: that was the last page). */
export function alertCursor(filter: AlertFilter, beforeId: number | null): string | null {
  return beforeId === null ? null : encodeCursor({ b: beforeId, q: digestOf(filter) });
}

function digestOf(filter: AlertFilter): string {
  const { beforeId: _, limit: __, ...rest } = filter;
  return queryDigest(rest);
}
