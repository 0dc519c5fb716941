import { OBSERVATION_KINDS } from "../domain/observation-record.js";
import { type DeltaBatch, deltaBatchSchema, WIRE_VERSION } from "./delta-batch.js";

/*
 * deltaBatchSchema, hand-written for the hot path: zod spends ~15-30 ms on a 5,000-row batch, this a
 * fraction of a millisecond. It is never more lenient than the schema (every check is the same or
 * stricter), and anything it does not accept goes through the schema, which then decides and names the
 * field. So a batch passes exactly when deltaBatchSchema accepts it (decode-batch.test.ts checks the
 * agreement on arbitrary batches). Unlike zod it returns the input itself, not a key-stripped copy:
 * callers only read the schema's fields.
 */

const KINDS: ReadonlySet<unknown> = new Set(OBSERVATION_KINDS);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, min: number, max: number) =>
  typeof v === "string" && v.length >= min && v.length <= max;
const strOrNull = (v: unknown, max: number) => v === null || str(v, 0, max);
const int = (v: unknown): v is number => Number.isSafeInteger(v);
const intOrNull = (v: unknown) => v === null || int(v);
const num = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const numOrNull = (v: unknown) => v === null || num(v);
const inRange = (v: unknown, min: number, max: number) => num(v) && v >= min && v <= max;
const inRangeOrNull = (v: unknown, min: number, max: number) => v === null || inRange(v, min, max);

function observationOk(o: unknown, firstSeq: number, lastSeq: number): boolean {
  if (!isObject(o)) return false;
  const { seq, rssiDbm, mfgrId } = o;
  return (
    int(seq) &&
    seq >= firstSeq &&
    seq <= lastSeq &&
    KINDS.has(o.kind) &&
    str(o.mac, 1, 64) &&
    strOrNull(o.ssid, 512) &&
    strOrNull(o.authMode, 32) &&
    strOrNull(o.capabilities, 1024) &&
    int(o.seenAt) &&
    intOrNull(o.channel) &&
    intOrNull(o.frequencyMhz) &&
    (rssiDbm === null || (int(rssiDbm) && rssiDbm >= -150 && rssiDbm <= 30)) &&
    typeof o.rssiEstimated === "boolean" &&
    inRangeOrNull(o.lat, -90, 90) &&
    inRangeOrNull(o.lon, -180, 180) &&
    numOrNull(o.altitudeM) &&
    (o.accuracyM === null || (num(o.accuracyM) && o.accuracyM >= 0)) &&
    strOrNull(o.rcois, 256) &&
    (mfgrId === null || (int(mfgrId) && mfgrId >= 0 && mfgrId <= 0xffff)) &&
    str(o.source, 1, 32)
  );
}

const nonNegativeOrNull = (v: unknown) => v === null || (num(v) && v >= 0);

function fixOk(f: unknown): boolean {
  if (!isObject(f)) return false;
  const { mode } = f;
  return (
    int(f.fixedAt) &&
    inRange(f.lat, -90, 90) &&
    inRange(f.lon, -180, 180) &&
    numOrNull(f.altitudeM) &&
    int(mode) &&
    mode >= 2 &&
    mode <= 3 &&
    nonNegativeOrNull(f.accuracyM) &&
    nonNegativeOrNull(f.hdop) &&
    numOrNull(f.speedMps) &&
    numOrNull(f.trackDeg) &&
    str(f.source, 1, 32)
  );
}

const MEMORY_LEVELS: ReadonlySet<unknown> = new Set(["none", "moderate", "critical"]);

function guardsOk(g: unknown): boolean {
  if (g === undefined) return true;
  if (!isObject(g)) return false;
  const m = g.scanIntervalMultiplier;
  return (
    MEMORY_LEVELS.has(g.memory) &&
    typeof g.diskBelowFloor === "boolean" &&
    typeof g.hot === "boolean" &&
    typeof g.lagging === "boolean" &&
    num(m) &&
    m > 0 &&
    m <= 1000
  );
}

function healthOk(h: unknown): boolean {
  return (
    isObject(h) &&
    int(h.sampledAt) &&
    numOrNull(h.rssMb) &&
    numOrNull(h.availableMemMb) &&
    numOrNull(h.diskFreeMb) &&
    numOrNull(h.socTempC) &&
    numOrNull(h.eventLoopLagMs) &&
    intOrNull(h.writerQueueDepth) &&
    guardsOk(h.guards)
  );
}

/** True only for a value deltaBatchSchema accepts (false may still be valid: ask the schema). */
export function isSurelyValidBatch(b: unknown): b is DeltaBatch {
  if (!isObject(b)) return false;
  const { firstSeq, lastSeq, batchSeq, observations: obs, gpsTrack, health } = b;
  if (
    b.version !== WIRE_VERSION ||
    !str(b.deviceId, 1, 64) ||
    !str(b.runId, 1, 64) ||
    !int(batchSeq) ||
    batchSeq < 0 ||
    !int(firstSeq) ||
    !int(lastSeq) ||
    firstSeq < 1 ||
    firstSeq > lastSeq ||
    !Array.isArray(obs) ||
    obs.length > 100_000 ||
    !Array.isArray(gpsTrack) ||
    gpsTrack.length > 100_000 ||
    !Array.isArray(health) ||
    health.length > 10_000
  ) {
    return false;
  }
  for (const o of obs) if (!observationOk(o, firstSeq, lastSeq)) return false;
  for (const f of gpsTrack) if (!fixOk(f)) return false;
  for (const h of health) if (!healthOk(h)) return false;
  return true;
}

/** deltaBatchSchema.safeParse with the fast path first. */
export function checkDeltaBatch(b: unknown): ReturnType<typeof deltaBatchSchema.safeParse> {
  if (isSurelyValidBatch(b))
    return { success: true, data: b } as ReturnType<typeof deltaBatchSchema.safeParse>;
  return deltaBatchSchema.safeParse(b);
}
