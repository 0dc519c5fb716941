import type { ExportNetwork, ExportObservation } from "./export-rows.js";
import { safeJson } from "./text-safety.js";

/*
 * RFC 7946: one FeatureCollection, positions [lon, lat(, altitude)] in WGS 84, a feature with no position
 * has a null geometry. Rows are joined with "," as they stream, so the writer says whether one came before.
 */
export const GEOJSON_HEAD = '{"type":"FeatureCollection","features":[\n';
export const GEOJSON_TAIL = "\n]}\n";

function point(lat: number | null, lon: number | null, altitude?: number | null) {
  if (lat === null || lon === null) return null;
  const coordinates = altitude === null || altitude === undefined ? [lon, lat] : [lon, lat, altitude];
  return { type: "Point", coordinates };
}

export function observationFeature(o: ExportObservation): string {
  return safeJson({
    type: "Feature",
    geometry: point(o.lat, o.lon, o.altitudeM),
    properties: {
      mac: o.mac,
      kind: o.kind,
      ssid: o.ssid,
      authMode: o.authMode,
      seenAt: new Date(o.seenAt).toISOString(),
      channel: o.channel,
      frequencyMhz: o.frequencyMhz,
      rssiDbm: o.rssiDbm,
      accuracyM: o.accuracyM,
      deviceId: o.deviceId,
    },
  });
}

export function networkFeature(n: ExportNetwork, placement: Placement): string {
  const [lat, lon] = placement === "strongest" ? [n.bestLat, n.bestLon] : [n.lat, n.lon];
  return safeJson({
    type: "Feature",
    geometry: point(lat, lon),
    properties: {
      mac: n.mac,
      kind: n.kind,
      ssid: n.ssid,
      authMode: n.authMode,
      channel: n.channel,
      firstSeen: new Date(n.firstSeen).toISOString(),
      lastSeen: new Date(n.lastSeen).toISOString(),
      observations: n.observationCount,
      devices: n.deviceCount,
      bestRssiDbm: n.bestRssiDbm,
    },
  });
}

/** Where a network is drawn: its RSSI-weighted estimate (default) or its strongest sighting. */
export type Placement = "estimate" | "strongest";
