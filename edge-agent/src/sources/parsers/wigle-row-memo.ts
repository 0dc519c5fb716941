import {
  type AuthMode,
  type Checked,
  checkPlausibleTime,
  normalizeAuthMode,
  normalizeMac,
} from "@piwardrive/shared-schema/domain";
import { parseWigleTime } from "./wigle-fields.js";

/** How WiGLE writes a BSSID; normalizeMac gives exactly its lower case, so the common case skips it. */
const CANONICAL_MAC = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;
/** Distinct capability strings remembered; a file of ever-new ones just recomputes them. */
const MAX_AUTH_STRINGS = 1024;

/**
 * What one WiGLE file's rows repeat, worked out once: a scan writes many rows with one FirstSeen, and a
 * drive has few distinct capability strings. A million-row import then spends its time on what differs.
 */
export class WigleRowMemo {
  readonly #now: number;
  #timeText = "";
  #seenAt: Checked<number> | null = null;
  #authModes = new Map<string, AuthMode>();

  constructor(now: number) {
    this.#now = now;
  }

  /** FirstSeen (already trimmed) as a plausible time, or why not (`time_invalid`, `time_in_future`, ...). */
  seenAt(firstSeen: string): Checked<number> {
    if (this.#seenAt === null || firstSeen !== this.#timeText) {
      const parsed = parseWigleTime(firstSeen);
      this.#timeText = firstSeen;
      this.#seenAt =
        parsed === null ? { ok: false, reason: "time_invalid" } : checkPlausibleTime(parsed, this.#now);
    }
    return this.#seenAt;
  }

  authMode(capabilities: string): AuthMode {
    let authMode = this.#authModes.get(capabilities);
    if (authMode === undefined) {
      if (this.#authModes.size >= MAX_AUTH_STRINGS) this.#authModes.clear();
      authMode = normalizeAuthMode(capabilities);
      this.#authModes.set(capabilities, authMode);
    }
    return authMode;
  }
}

/** normalizeMac, with WiGLE's own spelling (`AA:BB:CC:DD:EE:FF`) taken the short way. */
export function wigleMac(raw: string): Checked<string> {
  return CANONICAL_MAC.test(raw) ? { ok: true, value: raw.toLowerCase() } : normalizeMac(raw);
}
