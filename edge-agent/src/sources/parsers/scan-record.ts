import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import { type Checked, checkObservation, checkPlausibleTime } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";

/** What reading one record came to: an observation, or the reason it was refused. */
export type RecordOutcome =
  | { ok: true; observation: ObservationRecord }
  | { ok: false; reason: string; detail?: string };

export function refuse(reason: string, detail?: string): RecordOutcome {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/**
 * Yields the `record` event and then exactly one observation or reject for it. The observation is checked
 * against the shared schema (with `checkObservation`, its allocation-free twin), and a bug in `build` becomes
 * a reject: a parser never throws on its input.
 */
export function* recordEvents(lineNumber: number, build: () => RecordOutcome): Generator<SourceEvent> {
  yield { type: "record" };
  let outcome: RecordOutcome;
  try {
    outcome = build();
    if (outcome.ok) {
      // checkObservation accepts exactly what observationRecordSchema does, without zod's per-row cost.
      const problem = checkObservation(outcome.observation);
      if (problem !== null) outcome = refuse("observation_invalid", problem);
    }
  } catch (error) {
    outcome = refuse("parse_error", error instanceof Error ? error.message : undefined);
  }
  if (outcome.ok) yield { type: "observation", observation: outcome.observation };
  else if (outcome.detail === undefined) yield { type: "reject", reason: outcome.reason, line: lineNumber };
  else yield { type: "reject", reason: outcome.reason, line: lineNumber, detail: outcome.detail };
}

/** When the radio last heard the record: `agoMs` before the capture (0 when the tool does not say). */
export function seenAtFor(ctx: ParseContext, agoMs = 0): Checked<number> {
  return checkPlausibleTime(Math.round(ctx.capturedAt - agoMs), ctx.now);
}

/** A dBm reading as the schema stores it (integer, -150..30), or null when the number is not one. */
export function dbmFrom(text: string): number | null {
  if (text.trim() === "") return null;
  const value = Number(text);
  if (!Number.isFinite(value)) return null;
  const dbm = Math.round(value);
  return dbm >= -150 && dbm <= 30 ? dbm : null;
}
