import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";

/**
 * What every source yields. A parser never throws on bad input: each data record it reads yields one
 * `record` event, followed by what came of it: observations, a GPS fix, a reject with a reason, or a
 * `skip` (read intact, but nothing to store on its own, e.g. an NMEA satellite or proprietary sentence).
 */
export type SourceEvent =
  | { type: "record" }
  | { type: "observation"; observation: ObservationRecord }
  | { type: "fix"; fix: GpsFixRecord }
  | { type: "reject"; reason: string; line?: number; detail?: string }
  | { type: "skip"; reason: string }
  | { type: "metadata"; metadata: Record<string, string> };

export interface ParseContext {
  /** When the scan was taken (ms since epoch): the reference for `last seen: N ms ago` and undated formats. */
  capturedAt: number;
  /** Wall clock for plausibility checks (injected so tests are deterministic). */
  now: number;
}
