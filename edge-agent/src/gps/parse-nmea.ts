import { checkPlausibleTime } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../events/source-event.js";
import { type FixOutcome, fixOutcomeEvent, noFix } from "./fix-outcome.js";
import {
  nmeaCoordinate,
  nmeaDate,
  nmeaNumber,
  nmeaTimeOfDay,
  readNmeaLine,
  utcMidnight,
} from "./nmea-sentence.js";

/** HDOP x 5 m is the usual rough horizontal error (a typical UERE); stored as accuracyM, an estimate. */
export const HDOP_TO_METRES = 5;
const KNOTS_TO_MPS = 1852 / 3600;
const HALF_DAY_MS = 12 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

interface PositionSentence {
  type: "GGA" | "RMC";
  line: number;
  timeOfDay: number;
  lat: number;
  lon: number;
  date: number | null;
  altitudeM: number | null;
  hdop: number | null;
  quality: number | null;
  speedMps: number | null;
  trackDeg: number | null;
}

export function looksLikeNmea(head: string): boolean {
  // gpsd's JSON logs echo NMEA too: a `{"class":` line means it is gpsd's, not raw NMEA.
  if (/^\{"class":/m.test(head)) return false;
  return /^\$[A-Z]{2}(?:GGA|RMC|GSA|GSV|GLL|VTG|ZDA|GNS),[^\r\n]*\*[0-9A-Fa-f]{2}\r?$/m.test(head);
}

/**
 * NMEA 0183 from a serial receiver or a log. Every sentence is a record (comments are not): GGA and RMC
 * carry the position; corrupt lines are refused (`bad_checksum`, `no_checksum`, `not_nmea`); the others
 * (GSA, GSV, ZDA, proprietary `$P...`) end as a `skip`. GSA feeds the fix mode, RMC and ZDA the date. GGA and
 * RMC of one epoch (same time of day) merge into one fix: its records are yielded together, just before
 * it, once the epoch is complete (both seen, another epoch starts, or the input ends). A GGA with no date
 * known yet (no RMC/ZDA before it, none in its epoch) is refused as `no_date`.
 */
export async function* parseNmea(
  lines: AsyncIterable<string>,
  ctx: ParseContext,
): AsyncGenerator<SourceEvent> {
  let pending: PositionSentence[] = [];
  let lastDate: { midnight: number; timeOfDay: number } | null = null;
  let lastFixTime: number | null = null;
  let gsaMode: 2 | 3 | null = null;
  let gsaHdop: number | null = null;
  let lineNumber = 0;

  const flush = function* (): Generator<SourceEvent> {
    if (pending.length === 0) return;
    const epoch = pending;
    pending = [];
    let outcome = mergeEpoch(epoch, lastDate, gsaMode, gsaHdop, ctx);
    if (outcome.ok && outcome.fix.fixedAt === lastFixTime) outcome = noFix("duplicate_epoch");
    const event = fixOutcomeEvent(epoch[0]?.line ?? lineNumber, outcome);
    if (event.type === "reject") {
      // A refused epoch refuses each of its sentences, so every reject stands for exactly one record.
      for (const s of epoch) {
        yield { type: "record" };
        yield { ...event, line: s.line };
      }
      return;
    }
    if (event.type === "fix") lastFixTime = event.fix.fixedAt;
    for (const _ of epoch) yield { type: "record" };
    yield event;
  };

  for await (const line of lines) {
    lineNumber++;
    const read = readNmeaLine(line);
    if (read.kind === "skip") continue;
    if (read.kind === "corrupt") {
      yield { type: "record" };
      yield { type: "reject", reason: read.reason, line: lineNumber };
      continue;
    }
    if (read.kind === "other") {
      yield { type: "record" };
      yield { type: "skip", reason: read.reason };
      continue;
    }
    const { type, fields } = read;
    if (type === "GSA") {
      const mode = nmeaNumber(fields[2]);
      gsaMode = mode === 2 || mode === 3 ? mode : null;
      gsaHdop = nmeaNumber(fields[16]);
    } else if (type === "ZDA") {
      const timeOfDay = nmeaTimeOfDay(fields[1]);
      const midnight = utcMidnight(Number(fields[4]), Number(fields[3]), Number(fields[2]));
      if (timeOfDay !== null && midnight !== null) lastDate = { midnight, timeOfDay };
    }
    if (type !== "GGA" && type !== "RMC") {
      yield { type: "record" };
      yield { type: "skip", reason: "no_position" };
      continue;
    }

    const sentence = readPositionSentence(type, fields, lineNumber);
    if (!("timeOfDay" in sentence)) {
      yield { type: "record" };
      yield { type: "reject", reason: sentence.reason, line: lineNumber };
      continue;
    }
    const current = pending[0];
    if (current && current.timeOfDay === sentence.timeOfDay) {
      if (pending.some((p) => p.type === sentence.type)) {
        yield { type: "record" };
        yield { type: "reject", reason: "duplicate_epoch", line: lineNumber };
        continue;
      }
      pending.push(sentence);
    } else {
      yield* flush();
      pending = [sentence];
    }
    if (sentence.date !== null) lastDate = { midnight: sentence.date, timeOfDay: sentence.timeOfDay };
    if (pending.length === 2) yield* flush();
  }
  yield* flush();
}

function readPositionSentence(
  type: "GGA" | "RMC",
  f: string[],
  line: number,
): PositionSentence | { reason: string } {
  const gga = type === "GGA";
  // GGA: time,lat,N,lon,E,quality,sats,hdop,alt,M,...  RMC: time,status,lat,N,lon,E,knots,track,date,...
  const quality = gga ? nmeaNumber(f[6]) : null;
  if (gga ? quality === null || quality === 0 : f[2] !== "A" && f[2] !== "D") return { reason: "no_fix" };
  // NMEA 2.3 RMC mode indicator N = data not valid.
  if (!gga && f[12] === "N") return { reason: "no_fix" };
  const at = gga ? 2 : 3;
  const lat = nmeaCoordinate(f[at], f[at + 1], 2);
  const lon = nmeaCoordinate(f[at + 2], f[at + 3], 3);
  if (lat === "empty" || lon === "empty") return { reason: "no_fix" };
  if (lat === null || lon === null || (lat === 0 && lon === 0)) return { reason: "bad_position" };
  if (!f[1]) return { reason: "no_time" };
  const timeOfDay = nmeaTimeOfDay(f[1]);
  if (timeOfDay === null) return { reason: "time_invalid" };
  const knots = gga ? null : nmeaNumber(f[7]);
  return {
    type,
    line,
    timeOfDay,
    lat,
    lon,
    date: gga ? null : nmeaDate(f[9]),
    altitudeM: gga ? nmeaNumber(f[9]) : null,
    hdop: gga ? nmeaNumber(f[8]) : null,
    quality,
    speedMps: knots === null ? null : knots * KNOTS_TO_MPS,
    trackDeg: gga ? null : nmeaNumber(f[8]),
  };
}

function mergeEpoch(
  epoch: PositionSentence[],
  lastDate: { midnight: number; timeOfDay: number } | null,
  gsaMode: 2 | 3 | null,
  gsaHdop: number | null,
  ctx: ParseContext,
): FixOutcome {
  const gga = epoch.find((s) => s.type === "GGA");
  const rmc = epoch.find((s) => s.type === "RMC");
  const main = gga ?? rmc;
  if (!main) return noFix("no_fix");
  let midnight = rmc?.date ?? null;
  if (midnight === null && lastDate !== null) {
    // A GGA takes the date of the last RMC/ZDA; across midnight the day moves by one.
    const drift = main.timeOfDay - lastDate.timeOfDay;
    midnight = lastDate.midnight + (drift < -HALF_DAY_MS ? DAY_MS : drift > HALF_DAY_MS ? -DAY_MS : 0);
  }
  if (midnight === null) return noFix("no_date");
  const fixedAt = checkPlausibleTime(midnight + main.timeOfDay, ctx.now);
  if (!fixedAt.ok) return noFix(fixedAt.reason);
  const hdop = gga?.hdop ?? gsaHdop;
  return {
    ok: true,
    fix: {
      fixedAt: fixedAt.value,
      lat: main.lat,
      lon: main.lon,
      altitudeM: gga?.altitudeM ?? null,
      // GSA says 2D/3D; without it a GGA altitude suggests 3D, and an RMC alone only gives 2D.
      mode: gsaMode ?? (gga?.altitudeM != null ? 3 : 2),
      accuracyM: hdop !== null && hdop >= 0 ? hdop * HDOP_TO_METRES : null,
      hdop: hdop !== null && hdop >= 0 ? hdop : null,
      speedMps: rmc?.speedMps ?? null,
      trackDeg: rmc?.trackDeg ?? null,
      source: "nmea",
    },
  };
}
