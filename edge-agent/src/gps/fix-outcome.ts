import { checkGpsFix, type GpsFixRecord } from "@piwardrive/shared-schema/domain";
import type { SourceEvent } from "../events/source-event.js";

/** What reading a GPS record came to: a fix, or the reason there is none. */
export type FixOutcome = { ok: true; fix: GpsFixRecord } | { ok: false; reason: string; detail?: string };

export function noFix(reason: string, detail?: string): FixOutcome {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** The outcome as an event. The fix is checked as the shared schema would (checkGpsFix), so a bad value is a reject. */
export function fixOutcomeEvent(line: number, outcome: FixOutcome): SourceEvent {
  if (outcome.ok) {
    const problem = checkGpsFix(outcome.fix);
    if (problem === null) return { type: "fix", fix: outcome.fix };
    return { type: "reject", reason: "fix_invalid", line, detail: problem };
  }
  return outcome.detail === undefined
    ? { type: "reject", reason: outcome.reason, line }
    : { type: "reject", reason: outcome.reason, line, detail: outcome.detail };
}

/** A finite number, or null for anything else (JSON values are untrusted). */
export function finiteOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A WGS84 position, or null when out of range or 0,0 (what receivers report before a fix). */
export function positionOrNull(latValue: unknown, lonValue: unknown): { lat: number; lon: number } | null {
  const lat = finiteOrNull(latValue);
  const lon = finiteOrNull(lonValue);
  if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return lat === 0 && lon === 0 ? null : { lat, lon };
}
