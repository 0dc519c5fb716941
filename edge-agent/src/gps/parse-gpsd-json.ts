import { checkPlausibleTime } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../events/source-event.js";
import { type FixOutcome, finiteOrNull, fixOutcomeEvent, noFix, positionOrNull } from "./fix-outcome.js";

export function looksLikeGpsdJson(head: string): boolean {
  return /^\{"class":"(?:VERSION|DEVICES?|WATCH|TPV|SKY|GST|ATT|TOFF|PPS)"/m.test(head);
}

/**
 * Reads gpsd JSON lines (`gpspipe -w`, a gpsd socket, gpsd's regression output). Only lines starting with
 * `{` are JSON; echoed NMEA and other text are skipped. Each TPV is one record and becomes a fix (mode >= 2,
 * a time and a position) or a reject: `no_fix`, `no_time` (it cannot be placed in time), `no_position`,
 * the time reasons, or `duplicate_epoch` when gpsd repeats the time of the fix just yielded (each epoch
 * is yielded once; gpsd's repeats carry the same position). Other classes (VERSION, DEVICES, WATCH, SKY)
 * are not records. A `{` line that is not JSON is a record refused as `bad_json`: its class is unknown.
 * The returned function keeps the dedupe state between calls (one per file or connection).
 */
export function createGpsdLineParser(): (
  line: string,
  lineNumber: number,
  ctx: ParseContext,
) => Generator<SourceEvent> {
  let lastFixedAt: number | null = null;
  return function* parseGpsdLine(line, lineNumber, ctx) {
    const text = line.trim();
    if (!text.startsWith("{")) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      yield { type: "record" };
      yield { type: "reject", reason: "bad_json", line: lineNumber, detail: text.slice(0, 40) };
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const tpv = message as Record<string, unknown>;
    if (tpv.class !== "TPV") return;
    yield { type: "record" };
    const outcome = readTpv(tpv, ctx);
    if (outcome.ok) {
      if (outcome.fix.fixedAt === lastFixedAt) {
        yield { type: "reject", reason: "duplicate_epoch", line: lineNumber, detail: String(tpv.time) };
        return;
      }
      lastFixedAt = outcome.fix.fixedAt;
    }
    yield fixOutcomeEvent(lineNumber, outcome);
  };
}

/** All records of a gpsd JSON log, streamed line by line. */
export async function* parseGpsdJson(
  lines: AsyncIterable<string>,
  ctx: ParseContext,
): AsyncGenerator<SourceEvent> {
  const parseLine = createGpsdLineParser();
  let lineNumber = 0;
  for await (const line of lines) yield* parseLine(line, ++lineNumber, ctx);
}

function readTpv(tpv: Record<string, unknown>, ctx: ParseContext): FixOutcome {
  const mode = finiteOrNull(tpv.mode);
  if (mode === null || mode < 2) return noFix("no_fix", `mode ${describe(tpv.mode)}`);
  if (typeof tpv.time !== "string") return noFix("no_time");
  const parsed = Date.parse(tpv.time);
  if (Number.isNaN(parsed)) return noFix("time_invalid", tpv.time.slice(0, 40));
  const fixedAt = checkPlausibleTime(parsed, ctx.now);
  if (!fixedAt.ok) return noFix(fixedAt.reason, tpv.time.slice(0, 40));
  const position = positionOrNull(tpv.lat, tpv.lon);
  if (position === null) return noFix("no_position");

  // eph is gpsd's horizontal error estimate (metres, ~95%); older gpsd only gives epx/epy.
  const epx = finiteOrNull(tpv.epx);
  const epy = finiteOrNull(tpv.epy);
  const accuracy = finiteOrNull(tpv.eph) ?? (epx !== null && epy !== null ? Math.hypot(epx, epy) : null);
  return {
    ok: true,
    fix: {
      fixedAt: fixedAt.value,
      lat: position.lat,
      lon: position.lon,
      // altMSL (gpsd >= 3.20) and the older `alt` are above mean sea level, like NMEA GGA.
      altitudeM: finiteOrNull(tpv.altMSL) ?? finiteOrNull(tpv.alt) ?? finiteOrNull(tpv.altHAE),
      mode: mode >= 3 ? 3 : 2,
      accuracyM: accuracy !== null && accuracy >= 0 ? accuracy : null,
      // TPV carries no DOP (SKY does); the error estimate above is the better number anyway.
      hdop: null,
      speedMps: finiteOrNull(tpv.speed),
      trackDeg: finiteOrNull(tpv.track),
      source: "gpsd",
    },
  };
}

/**
 * A short, safe rendering of an untrusted JSON value for a reject's detail. String() would call a
 * `toString` the input may define as data (`{"toString":0}` throws); JSON.stringify only reads data.
 */
function describe(value: unknown): string {
  return (JSON.stringify(value) ?? "undefined").slice(0, 40);
}
