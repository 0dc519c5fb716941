import type { ExportNetwork, ExportObservation } from "./export-rows.js";
import { numberText, utcSeconds } from "./export-rows.js";
import { spreadsheetCell } from "./text-safety.js";

/** For spreadsheets: UTF-8 with a BOM (so Excel reads it as UTF-8), every text cell neutralised. */
export const BOM = "\uFEFF";

const cell = (value: string | null) => (value === null ? "" : spreadsheetCell(value));
const num = (value: number | null) => (value === null ? "" : numberText(value));

export const OBSERVATION_CSV_HEAD = `${BOM}mac,kind,ssid,auth_mode,capabilities,seen_at_utc,channel,frequency_mhz,rssi_dbm,lat,lon,altitude_m,accuracy_m,device_id\n`;

export function observationCsvLine(o: ExportObservation): string {
  return `${[
    cell(o.mac),
    cell(o.kind),
    cell(o.ssid),
    cell(o.authMode),
    cell(o.capabilities),
    utcSeconds(o.seenAt),
    num(o.channel),
    num(o.frequencyMhz),
    num(o.rssiDbm),
    num(o.lat),
    num(o.lon),
    num(o.altitudeM),
    num(o.accuracyM),
    cell(o.deviceId),
  ].join(",")}\n`;
}

export const NETWORK_CSV_HEAD = `${BOM}mac,kind,ssid,auth_mode,channel,frequency_mhz,first_seen_utc,last_seen_utc,observations,devices,best_rssi_dbm,lat,lon,strongest_lat,strongest_lon\n`;

export function networkCsvLine(n: ExportNetwork): string {
  return `${[
    cell(n.mac),
    cell(n.kind),
    cell(n.ssid),
    cell(n.authMode),
    num(n.channel),
    num(n.frequencyMhz),
    utcSeconds(n.firstSeen),
    utcSeconds(n.lastSeen),
    num(n.observationCount),
    num(n.deviceCount),
    num(n.bestRssiDbm),
    num(n.lat),
    num(n.lon),
    num(n.bestLat),
    num(n.bestLon),
  ].join(",")}\n`;
}
