import { type GpsFixRecord, OBSERVATION_KINDS, type ObservationRecord } from "./observation-record.js";

/*
 * Hand-written twins of `observationRecordSchema` and `gpsFixRecordSchema` (validation/record-schemas.ts)
 * for the per-row hot path, and for the edge agent, which does not load zod at all (~12 MB of RSS). Each
 * accepts exactly what its zod schema accepts (proved by the property tests next to it) without allocating
 * when the value is valid.
 * zod 4 semantics it mirrors: an object is anything `typeof "object"`, not null and not an array; unknown
 * keys are ignored (zod strips them); a missing key reads as undefined and is refused like it; `z.number()`
 * refuses NaN and ±Infinity; `.int()` means a safe integer; string `.min`/`.max` count Unicode code points
 * (the zod build in this repo measures strings that way: a surrogate pair is one, a lone surrogate is one).
 * Keep this file in step with record-schemas.ts: the property test fails when the two disagree.
 */

const KINDS: ReadonlySet<unknown> = new Set<unknown>(OBSERVATION_KINDS);

const NOT_STRING = "not a string";
const TOO_SHORT = "too short";
const TOO_LONG = "too long";
const NOT_NUMBER = "not a number";
const NOT_INTEGER = "not an integer";
const OUT_OF_RANGE = "out of range";

/** Code points in `s` as zod counts them: a surrogate pair once, a lone surrogate as itself. */
function codePoints(s: string): number {
  const units = s.length;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/**
 * A string of `min`..`max` code points. A code point is one or two UTF-16 units, so the unit count settles
 * most strings at once and only the ones in between are counted.
 */
function text(value: unknown, min: number, max: number): string | null {
  if (typeof value !== "string") return NOT_STRING;
  const units = value.length;
  if (units < min || (units < min * 2 && codePoints(value) < min)) return TOO_SHORT;
  if (units > max && codePoints(value) > max) return TOO_LONG;
  return null;
}

function nullableText(value: unknown, max: number): string | null {
  return value === null ? null : text(value, 0, max);
}

function int(value: unknown, min: number, max: number): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return NOT_NUMBER;
  if (!Number.isInteger(value)) return NOT_INTEGER;
  if (value < min || value > max) return OUT_OF_RANGE;
  return null;
}

function nullableInt(value: unknown, min: number, max: number): string | null {
  return value === null ? null : int(value, min, max);
}

function number(value: unknown, min: number, max: number): string | null {
  if (typeof value !== "number" || !Number.isFinite(value)) return NOT_NUMBER;
  if (value < min || value > max) return OUT_OF_RANGE;
  return null;
}

function nullableNumber(value: unknown, min: number, max: number): string | null {
  return value === null ? null : number(value, min, max);
}

/** Names the field in a reason; only reached when there is a problem, so the valid path builds no string. */
function at(field: keyof ObservationRecord | keyof GpsFixRecord, problem: string | null): string | null {
  return problem === null ? null : `${field}: ${problem}`;
}

const MIN_INT = Number.MIN_SAFE_INTEGER;
const MAX_INT = Number.MAX_SAFE_INTEGER;

/**
 * Whether `value` is an observation `observationRecordSchema` would accept: null when it is, otherwise a
 * short reason naming the first offending field in schema order (e.g. "rssiDbm: out of range"). Unlike
 * `safeParse` it returns nothing new: a valid value is used as it is (extra keys are not stripped).
 */
export function checkObservation(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "observation: not an object";
  const o = value as { readonly [K in keyof ObservationRecord]?: unknown };
  return (
    (KINDS.has(o.kind) ? null : "kind: not a known kind") ??
    at("mac", text(o.mac, 1, 64)) ??
    at("ssid", nullableText(o.ssid, 512)) ??
    at("authMode", nullableText(o.authMode, 32)) ??
    at("capabilities", nullableText(o.capabilities, 1024)) ??
    at("seenAt", int(o.seenAt, MIN_INT, MAX_INT)) ??
    at("channel", nullableInt(o.channel, MIN_INT, MAX_INT)) ??
    at("frequencyMhz", nullableInt(o.frequencyMhz, MIN_INT, MAX_INT)) ??
    at("rssiDbm", nullableInt(o.rssiDbm, -150, 30)) ??
    (typeof o.rssiEstimated === "boolean" ? null : "rssiEstimated: not a boolean") ??
    at("lat", nullableNumber(o.lat, -90, 90)) ??
    at("lon", nullableNumber(o.lon, -180, 180)) ??
    at("altitudeM", nullableNumber(o.altitudeM, -Infinity, Infinity)) ??
    at("accuracyM", nullableNumber(o.accuracyM, 0, Infinity)) ??
    at("rcois", nullableText(o.rcois, 256)) ??
    at("mfgrId", nullableInt(o.mfgrId, 0, 0xffff)) ??
    at("source", text(o.source, 1, 32))
  );
}

/**
 * Whether `value` is a fix `gpsFixRecordSchema` would accept: null when it is, otherwise a short reason
 * naming the first offending field in schema order (e.g. "mode: out of range").
 */
export function checkGpsFix(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "fix: not an object";
  const f = value as { readonly [K in keyof GpsFixRecord]?: unknown };
  return (
    at("fixedAt", int(f.fixedAt, MIN_INT, MAX_INT)) ??
    at("lat", number(f.lat, -90, 90)) ??
    at("lon", number(f.lon, -180, 180)) ??
    at("altitudeM", nullableNumber(f.altitudeM, -Infinity, Infinity)) ??
    at("mode", int(f.mode, 2, 3)) ??
    at("accuracyM", nullableNumber(f.accuracyM, 0, Infinity)) ??
    at("hdop", nullableNumber(f.hdop, 0, Infinity)) ??
    at("speedMps", nullableNumber(f.speedMps, -Infinity, Infinity)) ??
    at("trackDeg", nullableNumber(f.trackDeg, -Infinity, Infinity)) ??
    at("source", text(f.source, 1, 32))
  );
}
