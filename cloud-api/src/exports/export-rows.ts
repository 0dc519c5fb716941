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

/**
 * String(value), without V8's number-to-string cache for finite numbers: String(x) and `${x}` keep each
 * result in a heap-wide cache whose strings survive young collections, so the million distinct latitudes
 * of an export were promoted to the old generation and piled up there until a full collection (+23.6 MB
 * of old space per 2,000,000 conversions in a probe; none through JSON). JSON.stringify writes a finite
 * number as Number::toString does, the same text, at the same speed.
 */
export function numberText(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? JSON.stringify(value) : String(value);
}

/** `2026-08-08 06:49:57`: UTC, to the second, as WiGLE and spreadsheets read it. */
export function utcSeconds(ms: number): string {
  // An export writes rows in rowid order, so time mostly moves by milliseconds: the last second's text, or
  // its minute's prefix, is reused (toISOString was a sixth of a WiGLE export's CPU). Only for times with
  // the plain YYYY-MM-DDTHH:MM:SS layout (1970 to 9999); `new Date` truncates a fraction, as here.
  const t = Math.trunc(ms);
  if (!(t >= 0 && t <= LAST_PLAIN_MS)) return isoSeconds(ms);
  const second = Math.floor(t / 1000);
  if (second === memo.second) return memo.text;
  const minute = Math.floor(second / 60);
  if (minute !== memo.minute) {
    memo.minute = minute;
    memo.prefix = isoSeconds(minute * 60_000).slice(0, 17);
  }
  memo.second = second;
  memo.text = memo.prefix + TWO_DIGITS[second - minute * 60];
  return memo.text;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
/** 9999-12-31 23:59:59.999: toISOString writes a six-digit, signed year after it. */
const LAST_PLAIN_MS = 253_402_300_799_999;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const memo = { second: Number.NaN, text: "", minute: Number.NaN, prefix: "" };
