import { InvalidArgumentError } from "../errors.js";

/*
 * Parsing of the analyst query parameters shared by search, observations and (later) alerts and exports.
 * Each failure names its parameter: `parameter "bbox": ...`. No HTTP here.
 */

export type RawParams = Record<string, string | undefined>;

export const invalid = (name: string, why: string) => new InvalidArgumentError(`parameter "${name}": ${why}`);

/** Refuses any parameter not in `allowed` (a typo must not silently widen a query). */
export function rejectUnknown(params: RawParams, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) throw invalid(name, `unknown parameter (allowed: ${allowed.join(", ")})`);
  }
}

/** ISO 8601 with a zone (or a date) or epoch milliseconds -> epoch ms. */
export function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
  const ms = iso.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(name, "expected ISO 8601 (with a zone) or epoch milliseconds");
  return ms;
}

export interface TimeRange {
  since?: number;
  until?: number;
}

export function parseTimeRange(params: RawParams): TimeRange {
  const since = parseTime("since", params.since);
  const until = parseTime("until", params.until);
  if (since !== undefined && until !== undefined && since > until) {
    throw invalid("until", "the time range is inverted (until is before since)");
  }
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

export interface Bbox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** `minLon,minLat,maxLon,maxLat` in degrees; a box crossing the antimeridian is refused (split it). */
export function parseBbox(value: string | undefined): Bbox | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",");
  const numbers = parts.map((p) => (/^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : Number.NaN));
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n))) {
    throw invalid("bbox", "expected four numbers minLon,minLat,maxLon,maxLat");
  }
  const [minLon, minLat, maxLon, maxLat] = numbers as [number, number, number, number];
  if (Math.abs(minLon) > 180 || Math.abs(maxLon) > 180 || Math.abs(minLat) > 90 || Math.abs(maxLat) > 90) {
    throw invalid("bbox", "longitudes must be within ±180 and latitudes within ±90");
  }
  if (minLon > maxLon || minLat > maxLat) throw invalid("bbox", "min must not exceed max");
  return { minLon, minLat, maxLon, maxLat };
}

export function parseInteger(
  name: string,
  value: string | undefined,
  range: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(value)) throw invalid(name, "expected an integer");
  const n = Number(value);
  if (n < range.min || n > range.max) throw invalid(name, `must be between ${range.min} and ${range.max}`);
  return n;
}

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;

export function parseLimit(value: string | undefined): number {
  return parseInteger("limit", value, { min: 1, max: MAX_LIMIT }) ?? DEFAULT_LIMIT;
}

/** A comma-separated list of values from a fixed vocabulary. */
export function parseList<T extends string>(
  name: string,
  value: string | undefined,
  vocabulary: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((v) => v.trim().toLowerCase());
  for (const item of items) {
    if (!(vocabulary as readonly string[]).includes(item)) {
      throw invalid(name, `unknown value "${item.slice(0, 40)}" (allowed: ${vocabulary.join(", ")})`);
    }
  }
  return items as T[];
}

export function parseText(name: string, value: string | undefined, max = 64): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > max) throw invalid(name, `must be 1 to ${max} characters`);
  return value;
}

/** A transmitter id: a MAC (any case, `:` or `-`) becomes lower-case `aa:bb:...`; cell ids pass as they are. */
export function parseTransmitterId(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(value)) return value.toLowerCase().replaceAll("-", ":");
  if (/^[0-9A-Za-z_.:-]{1,64}$/.test(value)) return value;
  throw invalid(name, "expected a MAC address (aa:bb:cc:dd:ee:ff) or a transmitter id");
}
