import { z } from "zod";
import { ALERT_QUERY_PARAMS } from "../../alerts/alert-query.js";
import { DAILY_STATS_QUERY_PARAMS } from "../../analyst/daily-stats.js";
import { HEATMAP_QUERY_PARAMS } from "../../analyst/heatmap-query.js";
import { NETWORK_QUERY_PARAMS } from "../../analyst/network-filters.js";
import { OBSERVATION_QUERY_PARAMS } from "../../analyst/observation-filters.js";
import { EXPORT_QUERY_PARAMS } from "../../exports/export-filters.js";

/*
 * Request and response shapes of the analyst routes (analyst key or higher), for the OpenAPI generator.
 * Query values arrive as strings; the services (analyst/*-filters.ts) give them meaning and name the
 * parameter in every 400. Times in responses are ISO 8601 UTC.
 */

/** A query of optional string parameters with these names; any other name is refused. */
export const queryOf = (names: readonly string[]) =>
  z.strictObject(Object.fromEntries(names.map((n) => [n, z.string().optional()])));

/** GET /v1/networks: bbox=minLon,minLat,maxLon,maxLat; since/until/changedSince ISO 8601 or epoch ms. */
export const networkSearchQuerySchema = queryOf(NETWORK_QUERY_PARAMS);
/** GET /v1/observations */
export const observationQuerySchema = queryOf(OBSERVATION_QUERY_PARAMS);
/** GET /v1/networks/{mac}/observations */
export const networkObservationQuerySchema = queryOf(OBSERVATION_QUERY_PARAMS.filter((p) => p !== "mac"));
/** GET /v1/alerts: type, mac, ssid, bbox, since/until (raised), acknowledged=true|false, limit, cursor. */
export const alertQuerySchema = queryOf(ALERT_QUERY_PARAMS);
/** GET /v1/export: format, what, placement and the filters of what=networks or what=observations. */
export const exportQuerySchema = queryOf(EXPORT_QUERY_PARAMS);
export const macParamSchema = z.object({ mac: z.string() });

const isoTime = z.iso.datetime();

export const networkSchema = z.object({
  mac: z.string(),
  kind: z.string(),
  ssid: z.string().nullable(),
  authMode: z.string().nullable(),
  channel: z.number().int().nullable(),
  frequencyMhz: z.number().int().nullable(),
  vendor: z.string().nullable(),
  randomized: z.boolean(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  observationCount: z.number().int(),
  deviceCount: z.number().int(),
  bestRssiDbm: z.number().int().nullable(),
  location: z
    .object({
      lat: z.number(),
      lon: z.number(),
      radiusM: z.number().nullable(),
      confidence: z.number().int(),
    })
    .nullable(),
  strongest: z.object({ lat: z.number(), lon: z.number(), rssiDbm: z.number().int() }).nullable(),
});

export const networkSearchResponseSchema = z.object({
  networks: z.array(networkSchema),
  nextCursor: z.string().nullable(),
});

export const alertSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  severity: z.enum(["high", "medium", "low"]),
  subject: z.object({ kind: z.string(), id: z.string() }),
  ssid: z.string().nullable(),
  location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
  raisedAt: isoTime,
  acknowledgedAt: isoTime.nullable(),
  acknowledgedBy: z.string().nullable(),
  batch: z.object({ deviceId: z.string(), runId: z.string(), batchSeq: z.number().int() }).nullable(),
  /** What was known, what was seen, and the first sightings that raised it. */
  evidence: z.object({
    known: z.string().nullable(),
    seen: z.string().nullable(),
    sightings: z.array(
      z.object({
        deviceId: z.string(),
        runId: z.string(),
        seq: z.number().int(),
        seenAt: isoTime,
        rssiDbm: z.number().int().nullable(),
        lat: z.number().nullable(),
        lon: z.number().nullable(),
      }),
    ),
  }),
});

export const alertPageResponseSchema = z.object({
  alerts: z.array(alertSchema),
  nextCursor: z.string().nullable(),
});

export const networkDetailResponseSchema = z.object({
  network: networkSchema,
  ssidHistory: z.array(
    z.object({
      ssid: z.string().nullable(),
      authMode: z.string().nullable(),
      channel: z.number().int().nullable(),
      firstSeen: isoTime,
      lastSeen: isoTime,
      count: z.number().int(),
    }),
  ),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      name: z.string().nullable(),
      firstSeen: isoTime,
      lastSeen: isoTime,
      observations: z.number().int(),
    }),
  ),
  /** The network's alerts, newest first (at most 100). */
  alerts: z.array(alertSchema),
});

export const observationSchema = z.object({
  deviceId: z.string(),
  runId: z.string(),
  seq: z.number().int(),
  seenAt: isoTime,
  kind: z.string(),
  mac: z.string(),
  ssid: z.string().nullable(),
  authMode: z.string().nullable(),
  channel: z.number().int().nullable(),
  frequencyMhz: z.number().int().nullable(),
  rssiDbm: z.number().int().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  accuracyM: z.number().nullable(),
});

export const observationPageResponseSchema = z.object({
  observations: z.array(observationSchema),
  nextCursor: z.string().nullable(),
});

/** GET /v1/networks/{mac} takes no query parameters. */
export const networkDetailQuerySchema = z.strictObject({});

/** GET /v1/heatmap: bbox (required), resolution 5-7 (geohash precision), kind (one), since/until (UTC days). */
export const heatmapQuerySchema = queryOf(HEATMAP_QUERY_PARAMS);

/** An RFC 7946 FeatureCollection of geohash cell polygons ([lon, lat], counter-clockwise rings). */
export const heatmapResponseSchema = z.object({
  type: z.literal("FeatureCollection"),
  resolution: z.number().int(),
  kind: z.string().nullable(),
  range: z.object({ since: isoTime, until: isoTime }).nullable(),
  features: z.array(
    z.object({
      type: z.literal("Feature"),
      id: z.string(),
      geometry: z.object({
        type: z.literal("Polygon"),
        coordinates: z.array(z.array(z.tuple([z.number(), z.number()]))),
      }),
      properties: z.object({
        cell: z.string(),
        resolution: z.number().int(),
        observations: z.number().int(),
        networks: z.number().int(),
      }),
    }),
  ),
});

/** GET /v1/stats/daily: since/until (UTC days; default the 30 days ending today, at most 366). */
export const dailyStatsQuerySchema = queryOf(DAILY_STATS_QUERY_PARAMS);

export const dailyStatsResponseSchema = z.object({
  since: isoTime,
  until: isoTime,
  days: z.array(
    z.object({
      day: z.iso.date(),
      observations: z.number().int(),
      newTransmitters: z.number().int(),
      activeDevices: z.number().int(),
    }),
  ),
});
