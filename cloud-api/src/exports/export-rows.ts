import type { ObservationRecord } from "@piwardrive/shared-schema";

/** One sighting as an export writes it: the stored record (kind as stored text) and who saw it. */
export type ExportObservation = Omit<ObservationRecord, "kind" | "rssiEstimated" | "source"> & {
  deviceId: string;
  kind: string;
};

/** One transmitter as an export writes it: the networks aggregate. */
export interface ExportNetwork {
  kind: string;
  mac: string;
  ssid: string | null;
  authMode: string | null;
  channel: number | null;
  frequencyMhz: number | null;
  firstSeen: number;
  lastSeen: number;
  observationCount: number;
  deviceCount: number;
  bestRssiDbm: number | null;
  /** The RSSI-weighted estimate. */
  lat: number | null;
  lon: number | null;
  /** The strongest sighting. */
  bestLat: number | null;
  bestLon: number | null;
}

export type ExportWhat = "observations" | "networks";
export type ExportRow<W extends ExportWhat> = W extends "observations" ? ExportObservation : ExportNetwork;

/** `2026-08-08 06:49:57`: UTC, to the second, as WiGLE and spreadsheets read it. */
export function utcSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
