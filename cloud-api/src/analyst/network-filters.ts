import { AUTH_MODES, OBSERVATION_KINDS } from "@piwardrive/shared-schema";
import {
  type Bbox,
  invalid,
  parseBbox,
  parseInteger,
  parseLimit,
  parseList,
  parseText,
  parseTime,
  parseTimeRange,
  type RawParams,
  rejectUnknown,
} from "./query-params.js";

/*
 * The network filters of GET /v1/networks, parsed into plain values; alerts, watchlists and exports reuse
 * them (networkFilterSql turns them into SQL over any relation with the networks columns: the search's
 * as-of rows, the export's as-of walk in exports/export-query.ts).
 */

/** The auth vocabulary: the shared AUTH_MODES, lower-cased (`wpa2`, `wpa2/wpa3`, `wpa3-eap`, ...). */
export const AUTH_FILTERS = AUTH_MODES.map((m) => m.toLowerCase()) as Lowercase<
  (typeof AUTH_MODES)[number]
>[];
export const BANDS = ["2.4", "5", "6"] as const;
export type Band = (typeof BANDS)[number];
/** Frequency ranges (MHz) of the Wi-Fi bands. */
export const BAND_MHZ: Record<Band, [number, number]> = {
  "2.4": [2400, 2500],
  "5": [4900, 5900],
  "6": [5925, 7125],
};
export const NETWORK_SORTS = ["-lastSeen", "lastSeen", "-rssi"] as const;
export type NetworkSort = (typeof NETWORK_SORTS)[number];

export interface NetworkFilters {
  bbox?: Bbox;
  since?: number;
  until?: number;
  ssid?: string;
  ssidPrefix?: string;
  q?: string;
  auth?: string[];
  kind?: string[];
  band?: Band[];
  channel?: number;
  vendor?: string;
  device?: string;
  minRssi?: number;
  minConfidence?: number;
  changedSince?: number;
}

export interface NetworkQuery {
  filters: NetworkFilters;
  sort: NetworkSort;
  limit: number;
  cursor?: string;
}

/** The filter parameters of GET /v1/networks (exports of networks take exactly these). */
export const NETWORK_FILTER_PARAMS = [
  "bbox",
  "since",
  "until",
  "ssid",
  "ssidPrefix",
  "q",
  "auth",
  "kind",
  "band",
  "channel",
  "vendor",
  "device",
  "minRssi",
  "minConfidence",
  "changedSince",
] as const;

export const NETWORK_QUERY_PARAMS = [...NETWORK_FILTER_PARAMS, "sort", "limit", "cursor"] as const;

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function parseNetworkQuery(params: RawParams): NetworkQuery {
  rejectUnknown(params, NETWORK_QUERY_PARAMS);
  const sort = params.sort ?? "-lastSeen";
  if (!(NETWORK_SORTS as readonly string[]).includes(sort)) {
    throw invalid("sort", `expected one of ${NETWORK_SORTS.join(", ")}`);
  }
  return defined({
    filters: parseNetworkFilters(params),
    sort: sort as NetworkSort,
    limit: parseLimit(params.limit),
    cursor: params.cursor,
  });
}

/**
 * The NETWORK_FILTER_PARAMS in `params` as values (the caller has refused unknown names); every bad value
 * is a 400 naming its parameter.
 */
export function parseNetworkFilters(params: RawParams): NetworkFilters {
  const q = parseText("q", params.q);
  if (q !== undefined && q.length < 2) throw invalid("q", "a substring search needs at least 2 characters");
  return defined({
    bbox: parseBbox(params.bbox),
    ...parseTimeRange(params),
    ssid: parseText("ssid", params.ssid, 32),
    ssidPrefix: parseText("ssidPrefix", params.ssidPrefix, 32),
    q,
    auth: parseList("auth", params.auth, AUTH_FILTERS),
    kind: parseList("kind", params.kind, OBSERVATION_KINDS),
    band: parseList("band", params.band, BANDS),
    channel: parseInteger("channel", params.channel, { min: 1, max: 233 }),
    vendor: parseText("vendor", params.vendor, 128),
    device: parseText("device", params.device, 128),
    minRssi: parseInteger("minRssi", params.minRssi, { min: -150, max: 0 }),
    minConfidence: parseInteger("minConfidence", params.minConfidence, { min: 0, max: 7 }),
    changedSince: parseTime("changedSince", params.changedSince),
  });
}

/**
 * The filters as a SQL condition over a relation `n` with the networks columns; `g` is the as-of generation.
 * `alias` names the relation another way (the search tests bbox and times on its index walk `w`).
 */
export function networkFilterSql(
  f: NetworkFilters,
  g: number,
  alias = "n",
): { sql: string; args: (string | number)[] } {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (sql: string, ...values: (string | number)[]) => {
    where.push(sql);
    args.push(...values);
  };
  if (f.bbox)
    add(
      "n.lon BETWEEN ? AND ? AND n.lat BETWEEN ? AND ?",
      f.bbox.minLon,
      f.bbox.maxLon,
      f.bbox.minLat,
      f.bbox.maxLat,
    );
  if (f.since !== undefined) add("n.last_seen >= ?", f.since);
  if (f.until !== undefined) add("n.last_seen <= ?", f.until);
  if (f.ssid !== undefined) add("n.ssid = ?", f.ssid);
  if (f.ssidPrefix !== undefined) add("substr(n.ssid, 1, length(?)) = ?", f.ssidPrefix, f.ssidPrefix);
  // lower() folds ASCII only (no ICU): documented in docs/analyst-aggregates.md.
  if (f.q !== undefined) add("instr(lower(n.ssid), lower(?)) > 0", f.q);
  if (f.auth) add(`lower(n.auth_mode) IN (${f.auth.map(() => "?").join(", ")})`, ...f.auth);
  if (f.kind) add(`n.kind IN (${f.kind.map(() => "?").join(", ")})`, ...f.kind);
  if (f.band) {
    const ranges = f.band.map((b) => BAND_MHZ[b]);
    add(`(${ranges.map(() => "n.frequency_mhz BETWEEN ? AND ?").join(" OR ")})`, ...ranges.flat());
  }
  if (f.channel !== undefined) add("n.channel = ?", f.channel);
  if (f.vendor !== undefined) add("instr(lower(n.vendor), lower(?)) > 0", f.vendor);
  if (f.device !== undefined) {
    add(
      "EXISTS (SELECT 1 FROM network_devices nd WHERE nd.mac = n.mac AND nd.device_id = ? AND nd.first_generation <= ?)",
      f.device,
      g,
    );
  }
  if (f.minRssi !== undefined) add("n.best_rssi_dbm >= ?", f.minRssi);
  if (f.minConfidence !== undefined) add("n.confidence >= ?", f.minConfidence);
  if (f.changedSince !== undefined) add("n.updated_at >= ?", f.changedSince);
  const sql = where.length === 0 ? "true" : where.join(" AND ");
  return { sql: alias === "n" ? sql : sql.replace(/\bn\./g, `${alias}.`), args };
}
