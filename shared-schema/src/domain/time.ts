import type { Checked } from "./mac.js";

/** 2000-01-01: earlier timestamps come from devices without a clock (WiGLE files with 1970 dates). */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
/** How far in the future a device clock may run before a sighting is refused. */
export const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;

export function checkPlausibleTime(ms: number, now: number = Date.now()): Checked<number> {
  if (!Number.isFinite(ms)) return { ok: false, reason: "time_invalid" };
  if (ms < EARLIEST_PLAUSIBLE_MS) return { ok: false, reason: "time_too_old" };
  if (ms > now + FUTURE_TOLERANCE_MS) return { ok: false, reason: "time_in_future" };
  return { ok: true, value: Math.trunc(ms) };
}
