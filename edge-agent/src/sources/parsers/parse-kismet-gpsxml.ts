import { checkPlausibleTime } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { type FixOutcome, fixOutcomeEvent, noFix, positionOrNull } from "../../gps/fix-outcome.js";
import { HDOP_TO_METRES } from "../../gps/parse-nmea.js";
import { xmlEventBatches } from "../files/xml-events.js";

/** The pseudo-BSSID Kismet gives the GPS track points (the others are per-packet positions). */
export const KISMET_TRACK_BSSID = "GP:SD:TR:AC:KL:OG";

export function looksLikeKismetGpsxml(head: string): boolean {
  return /<gps-run[\s>]/.test(head) || /<!DOCTYPE gps-run/.test(head);
}

/**
 * Kismet classic `.gpsxml`: each `<gps-point bssid="GP:SD:TR:AC:KL:OG" .../>` is one record and becomes a
 * fix (`fix` >= 2, time-sec/time-usec, lat/lon; Kismet 2011+ writes metres and m/s). The per-packet
 * points (a network's BSSID, signal level) are skipped, not records: the netxml summary of each network
 * is what gets imported, and these carry no SSID. `<gps-run>` and `<network-file>` become metadata events.
 */
export async function* parseKismetGpsxml(
  chunks: AsyncIterable<string | Uint8Array>,
  ctx: ParseContext,
): AsyncGenerator<SourceEvent> {
  let networkFile: string | null = null;
  let lastFixedAt: number | null = null;
  for await (const batch of xmlEventBatches(chunks)) {
    for (const event of batch) {
      if (event.kind === "open" && event.name === "gps-run") {
        const a = event.attributes;
        yield {
          type: "metadata",
          metadata: {
            format: "gpsxml",
            gpsVersion: a["gps-version"] ?? "",
            startTime: a["start-time"] ?? "",
          },
        };
      } else if (event.kind === "open" && event.name === "network-file") {
        networkFile = "";
      } else if (event.kind === "text" && networkFile !== null) {
        networkFile = (networkFile + event.text).slice(0, 1024);
      } else if (event.kind === "close" && event.name === "network-file" && networkFile !== null) {
        yield { type: "metadata", metadata: { networkFile: networkFile.trim() } };
        networkFile = null;
      } else if (
        event.kind === "open" &&
        event.name === "gps-point" &&
        event.attributes.bssid === KISMET_TRACK_BSSID
      ) {
        yield { type: "record" };
        let outcome = readTrackPoint(event.attributes, ctx);
        if (outcome.ok && outcome.fix.fixedAt === lastFixedAt) outcome = noFix("duplicate_epoch");
        const result = fixOutcomeEvent(event.line, outcome);
        if (result.type === "fix") lastFixedAt = result.fix.fixedAt;
        yield result;
      }
    }
  }
}

function readTrackPoint(a: Record<string, string>, ctx: ParseContext): FixOutcome {
  const fix = Number(a.fix);
  if (!(fix >= 2)) return noFix("no_fix", `fix ${a.fix ?? "missing"}`);
  const seconds = Number(a["time-sec"]);
  const micros = Number(a["time-usec"] ?? 0);
  if (!Number.isInteger(seconds) || !Number.isFinite(micros)) return noFix("no_time");
  const fixedAt = checkPlausibleTime(seconds * 1000 + Math.floor(micros / 1000), ctx.now);
  if (!fixedAt.ok) return noFix(fixedAt.reason, a["time-sec"]);
  const position = positionOrNull(Number(a.lat), Number(a.lon));
  if (position === null) return noFix("no_position");
  const number = (key: string): number | null => {
    const value = a[key] === undefined || a[key] === "" ? Number.NaN : Number(a[key]);
    return Number.isFinite(value) ? value : null;
  };
  const hdop = number("hdop");
  return {
    ok: true,
    fix: {
      fixedAt: fixedAt.value,
      lat: position.lat,
      lon: position.lon,
      altitudeM: number("alt"),
      mode: fix >= 3 ? 3 : 2,
      accuracyM: hdop !== null && hdop >= 0 ? hdop * HDOP_TO_METRES : null,
      hdop: hdop !== null && hdop >= 0 ? hdop : null,
      speedMps: number("spd"),
      trackDeg: number("heading"),
      source: "gpsxml",
    },
  };
}
