import { z } from "zod";
import { loadTestRequestSchema } from "../../loadtest/api-loadtests.js";
import {
  alertPageResponseSchema,
  alertQuerySchema,
  alertSchema,
  dailyStatsQuerySchema,
  dailyStatsResponseSchema,
  exportQuerySchema,
  heatmapQuerySchema,
  heatmapResponseSchema,
  macParamSchema,
  networkDetailQuerySchema,
  networkDetailResponseSchema,
  networkObservationQuerySchema,
  networkSearchQuerySchema,
  networkSearchResponseSchema,
  observationPageResponseSchema,
  observationQuerySchema,
  queryOf,
} from "../analyst/schema.js";
import { watchRequestSchema } from "../analyst/watchlist.js";
import {
  deviceDetailQuerySchema,
  deviceDetailResponseSchema,
  devicesResponseSchema,
} from "../ops/fleet-schema.js";
import { webhookRequestSchema } from "../ops/webhooks.js";
import {
  healthResponseSchema,
  ingestResponseSchema,
  readyResponseSchema,
  statsResponseSchema,
} from "../schema.js";

/*
 * What /openapi.json says about each route. Query schemas are the ones the routes validate requests with
 * (routes/analyst/schema.ts); a test checks that this list and the app's routes are the same set, so a new
 * route cannot go undocumented.
 */

/** Who may call: a role's API key (or higher), a device token, or anyone. */
export type Caller = "analyst" | "operator" | "admin" | "device" | "public";

export interface RouteDoc {
  method: "get" | "post" | "delete";
  /** OpenAPI form: `/v1/networks/{mac}`. */
  path: string;
  tag: string;
  summary: string;
  caller: Caller;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: { contentType: string; schema: z.ZodType };
  /** The success answer: status, media type and (for JSON) its schema. */
  response: { status: number; contentType: string; schema?: z.ZodType; description: string };
  /** Error statuses the route answers with the error body, besides the caller's 401/403. */
  errors: number[];
}

/** Query parameter meanings, shared by every route that takes them. */
export const PARAM_DESCRIPTIONS: Record<string, string> = {
  bbox: "minLon,minLat,maxLon,maxLat (WGS 84 degrees)",
  since: "from this time on (ISO 8601 or epoch ms)",
  until: "up to this time (ISO 8601 or epoch ms)",
  changedSince: "only networks changed by merges after this time (ISO 8601 or epoch ms): for mirrors",
  ssid: "exact SSID",
  ssidPrefix: "SSID starts with this",
  q: "SSID contains this (case-insensitive)",
  auth: "auth modes, comma-separated (open, wep, wpa, wpa2, wpa3, ...)",
  kind: "transmitter kinds, comma-separated (wifi, bluetooth, ble, gsm, lte, ...)",
  band: "Wi-Fi bands in GHz, comma-separated (2.4, 5, 6)",
  channel: "channel number",
  vendor: "vendor name contains this (offline OUI lookup)",
  device: "seen by this device id",
  mac: "transmitter MAC (aa:bb:cc:dd:ee:ff)",
  minRssi: "best RSSI at least this (dBm)",
  minConfidence: "location confidence at least this (0-7)",
  sort: "-lastSeen (default), lastSeen or -rssi",
  limit: "page size (default 100, at most 1000)",
  cursor: "nextCursor of the previous page",
  format: "wigle | csv | geojson | kml",
  what: "observations (default) or networks",
  placement: "networks at their estimate (default) or strongest sighting",
  id: "a stored report's id (from GET /v1/reports)",
  type: "alert types, comma-separated (encryption_downgrade, ssid_change, channel_change, evil_twin, watchlist_hit, ...)",
  acknowledged: "true: only acknowledged alerts; false: only open ones",
  status: "pending | delivered | failed",
  resolution: "geohash precision 5, 6 or 7 (default: the finest with at most 10,000 cells over the bbox)",
};

const json = (schema: z.ZodType, description: string, status = 200) => ({
  status,
  contentType: "application/json",
  schema,
  description,
});

export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: "get",
    path: "/health",
    tag: "operations",
    summary: "The process is up (no dependency is checked)",
    caller: "public",
    response: json(healthResponseSchema, "up"),
    errors: [],
  },
  {
    method: "get",
    path: "/ready",
    tag: "operations",
    summary: "Database and Redis answer (503 with the failing check otherwise)",
    caller: "public",
    response: json(readyResponseSchema, "ready"),
    errors: [503],
  },
  {
    method: "post",
    path: "/v1/ingest",
    tag: "ingest",
    summary: "Land one delta batch from a device; 202 once it is committed (duplicates too)",
    caller: "device",
    body: {
      contentType: "application/vnd.piwardrive.delta+json",
      schema: z.string().describe("gzip or br columnar batch"),
    },
    response: json(ingestResponseSchema, "landed (accepted) or already landed (duplicate)", 202),
    errors: [400, 413, 415, 429, 503],
  },
  {
    method: "get",
    path: "/v1/stats",
    tag: "analyst",
    summary: "Fleet counts",
    caller: "analyst",
    response: json(statsResponseSchema, "counts"),
    errors: [],
  },
  {
    method: "get",
    path: "/v1/networks",
    tag: "analyst",
    summary: "Search networks (keyset pages stable while batches merge)",
    caller: "analyst",
    query: networkSearchQuerySchema,
    response: json(networkSearchResponseSchema, "one page"),
    errors: [400, 429],
  },
  {
    method: "get",
    path: "/v1/networks/{mac}",
    tag: "analyst",
    summary: "One network: estimate, SSID history, devices that saw it",
    caller: "analyst",
    params: macParamSchema,
    query: networkDetailQuerySchema,
    response: json(networkDetailResponseSchema, "the network"),
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/networks/{mac}/observations",
    tag: "analyst",
    summary: "Sightings of one network, keyset-paged",
    caller: "analyst",
    params: macParamSchema,
    query: networkObservationQuerySchema,
    response: json(observationPageResponseSchema, "one page"),
    errors: [400, 429],
  },
  {
    method: "get",
    path: "/v1/observations",
    tag: "analyst",
    summary: "Sightings, keyset-paged",
    caller: "analyst",
    query: observationQuerySchema,
    response: json(observationPageResponseSchema, "one page"),
    errors: [400, 429],
  },
  {
    method: "get",
    path: "/v1/heatmap",
    tag: "analyst",
    summary: "Geohash cells over a box (GeoJSON), with sightings and distinct transmitters per cell",
    caller: "analyst",
    query: heatmapQuerySchema,
    response: json(heatmapResponseSchema, "a GeoJSON FeatureCollection"),
    errors: [400, 429],
  },
  {
    method: "get",
    path: "/v1/stats/daily",
    tag: "analyst",
    summary: "Per UTC day: sightings, new transmitters, active devices (empty days as zeros)",
    caller: "analyst",
    query: dailyStatsQuerySchema,
    response: json(dailyStatsResponseSchema, "the days"),
    errors: [400, 429],
  },
  {
    method: "get",
    path: "/v1/alerts",
    tag: "alerts",
    summary: "Alerts raised by merges (and fleet jobs), newest first, keyset-paged, with their evidence",
    caller: "analyst",
    query: alertQuerySchema,
    response: json(alertPageResponseSchema, "one page"),
    errors: [400, 429],
  },
  {
    method: "post",
    path: "/v1/alerts/{id}/ack",
    tag: "alerts",
    summary: "Acknowledge an alert (idempotent: the first who and when are kept)",
    caller: "analyst",
    params: z.object({ id: z.string() }),
    response: json(z.object({ alert: alertSchema }), "the alert"),
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/watchlist",
    tag: "alerts",
    summary: "What the merge watches for (MAC, OUI prefix, SSID, SSID pattern)",
    caller: "analyst",
    response: json(z.object({ watchlist: z.array(z.object({}).loose()) }), "the entries"),
    errors: [429],
  },
  {
    method: "post",
    path: "/v1/watchlist",
    tag: "alerts",
    summary: "Watch for something; with `webhook` (operator) its hits are also sent there, signed",
    caller: "analyst",
    body: { contentType: "application/json", schema: watchRequestSchema },
    response: json(
      z.object({ entry: z.object({}).loose() }).loose(),
      "the entry (and the hook's secret, once)",
      201,
    ),
    errors: [400, 429],
  },
  {
    method: "delete",
    path: "/v1/watchlist/{id}",
    tag: "alerts",
    summary: "Stop watching (its hooks are disabled; its alerts stay)",
    caller: "analyst",
    params: z.object({ id: z.string() }),
    response: { status: 204, contentType: "application/json", description: "removed" },
    errors: [400, 404, 429],
  },
  {
    method: "get",
    path: "/v1/webhooks",
    tag: "alerts",
    summary: "Alert webhooks",
    caller: "operator",
    response: json(z.object({ webhooks: z.array(z.object({}).loose()) }), "the hooks"),
    errors: [],
  },
  {
    method: "post",
    path: "/v1/webhooks",
    tag: "alerts",
    summary:
      "Add a webhook (no loopback, link-local or private target unless allowed); the secret is shown once",
    caller: "operator",
    body: { contentType: "application/json", schema: webhookRequestSchema },
    response: json(
      z.object({ webhook: z.object({}).loose(), secret: z.string() }),
      "the hook and its secret",
      201,
    ),
    errors: [400],
  },
  {
    method: "delete",
    path: "/v1/webhooks/{id}",
    tag: "alerts",
    summary: "Disable a webhook (its deliveries stay visible)",
    caller: "operator",
    params: z.object({ id: z.string() }),
    response: { status: 204, contentType: "application/json", description: "disabled" },
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/v1/webhooks/deliveries",
    tag: "alerts",
    summary: "What was sent where, and what went wrong",
    caller: "operator",
    query: queryOf(["status", "limit"]),
    response: json(z.object({ deliveries: z.array(z.object({}).loose()) }), "deliveries"),
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/export",
    tag: "analyst",
    summary:
      "Stream a WiGLE CSV, spreadsheet CSV, GeoJSON or KML file (gzip when accepted); what=networks takes the filters of /v1/networks, what=observations those of /v1/observations",
    caller: "analyst",
    query: exportQuerySchema,
    response: { status: 200, contentType: "application/octet-stream", description: "the file, streamed" },
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/reports",
    tag: "operations",
    summary: "Reports the daily job stored, newest first",
    caller: "operator",
    response: json(z.object({ reports: z.array(z.object({}).loose()) }), "stored reports"),
    errors: [],
  },
  {
    method: "get",
    path: "/v1/reports/{kind}",
    tag: "operations",
    summary: "A performance, fleet or coverage report, built now (or a stored one with ?id=)",
    caller: "operator",
    params: z.object({ kind: z.enum(["performance", "fleet", "coverage"]) }),
    query: queryOf(["since", "until", "format", "id"]),
    response: {
      status: 200,
      contentType: "text/html",
      description: "self-contained HTML (or JSON with format=json)",
    },
    errors: [400, 404],
  },
  {
    method: "post",
    path: "/v1/loadtests",
    tag: "operations",
    summary: "Queue a load test of this API (one at a time, capped rate and duration)",
    caller: "operator",
    body: { contentType: "application/json", schema: loadTestRequestSchema },
    response: json(z.object({ id: z.string(), status: z.literal("queued") }), "queued", 202),
    errors: [400, 404, 409, 503],
  },
  {
    method: "get",
    path: "/v1/loadtests",
    tag: "operations",
    summary: "Load-test runs, newest first",
    caller: "operator",
    response: json(z.object({ loadtests: z.array(z.object({}).loose()) }), "runs"),
    errors: [],
  },
  {
    method: "get",
    path: "/v1/loadtests/{id}",
    tag: "operations",
    summary: "One load-test run with its stored result",
    caller: "operator",
    params: z.object({ id: z.string() }),
    response: json(z.object({}).loose(), "the run"),
    errors: [404],
  },
  {
    method: "get",
    path: "/v1/devices",
    tag: "fleet",
    summary:
      "Every device: last contact and batch, sightings, backlog, agent version, latest health, position, stale",
    caller: "operator",
    response: json(devicesResponseSchema, "the fleet"),
    errors: [400],
  },
  {
    method: "get",
    path: "/v1/devices/{id}",
    tag: "fleet",
    summary: "One device with its health samples and GPS track in a time range",
    caller: "operator",
    params: z.object({ id: z.string() }),
    query: deviceDetailQuerySchema,
    response: json(deviceDetailResponseSchema, "the device"),
    errors: [400, 404],
  },
  {
    method: "get",
    path: "/v1/ops/pipeline",
    tag: "operations",
    summary:
      "Queues per state, merge rate and lag over 5/60 min, oldest unmerged batch, failed batches, reconciler actions",
    caller: "operator",
    response: json(z.object({}).loose(), "the pipeline"),
    errors: [],
  },
  {
    method: "post",
    path: "/v1/ops/batches/{device}/{run}/{seq}/retry",
    tag: "operations",
    summary: "Send a failed batch back to the merge (after a fix)",
    caller: "operator",
    params: z.object({ device: z.string(), run: z.string(), seq: z.string() }),
    response: json(z.object({}).loose(), "what was done", 202),
    errors: [400, 404, 409],
  },
  {
    method: "get",
    path: "/metrics",
    tag: "operations",
    summary: "Prometheus text format",
    caller: "operator",
    response: { status: 200, contentType: "text/plain", description: "metrics" },
    errors: [],
  },
];
