import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";

export interface GpsTaggerOptions {
  /** A sighting is tagged only with a fix at most this far away in time. */
  maxGapMs?: number;
  /** Fixes older than this (relative to the newest) are forgotten, bounding memory. */
  windowMs?: number;
}

export interface TaggerStats {
  tagged: number;
  untagged: number;
  alreadyPositioned: number;
  fixes: number;
}

/**
 * Attaches to each sighting the GPS fix nearest in time, within a bound (default 2 s), with its accuracy.
 * Sightings that carry their own position (WiGLE, Kismet) keep it; sightings with no fix close enough are
 * kept untagged and counted. Fixes are held in time order over a sliding window.
 */
export class GpsTagger {
  #fixes: GpsFixRecord[] = [];
  #maxGapMs: number;
  #windowMs: number;
  #stats: TaggerStats = { tagged: 0, untagged: 0, alreadyPositioned: 0, fixes: 0 };

  constructor(options: GpsTaggerOptions = {}) {
    this.#maxGapMs = options.maxGapMs ?? 2000;
    this.#windowMs = options.windowMs ?? 10 * 60 * 1000;
  }

  get stats(): TaggerStats {
    return { ...this.#stats, fixes: this.#fixes.length };
  }

  addFix(fix: GpsFixRecord): void {
    const fixes = this.#fixes;
    const last = fixes[fixes.length - 1];
    if (last === undefined || fix.fixedAt > last.fixedAt) {
      fixes.push(fix);
    } else {
      const at = this.#lowerBound(fix.fixedAt);
      if (fixes[at]?.fixedAt === fix.fixedAt)
        fixes[at] = fix; // same epoch again (GGA + RMC, gpsd repeats)
      else fixes.splice(at, 0, fix);
    }
    const newest = fixes[fixes.length - 1]!.fixedAt;
    let drop = 0;
    while (drop < fixes.length && fixes[drop]!.fixedAt < newest - this.#windowMs) drop++;
    if (drop > 0) fixes.splice(0, drop);
  }

  /** The fix nearest to `time` within the bound, or null. */
  nearestFix(time: number): GpsFixRecord | null {
    const at = this.#lowerBound(time);
    const after = this.#fixes[at];
    const before = this.#fixes[at - 1];
    let best: GpsFixRecord | undefined;
    if (after && (!before || after.fixedAt - time < time - before.fixedAt)) best = after;
    else best = before ?? after;
    if (best === undefined || Math.abs(best.fixedAt - time) > this.#maxGapMs) return null;
    return best;
  }

  /** Returns the sighting with the nearest fix's position and accuracy, or unchanged when none is close. */
  tag(observation: ObservationRecord): ObservationRecord {
    if (observation.lat !== null && observation.lon !== null) {
      this.#stats.alreadyPositioned += 1;
      return observation;
    }
    const fix = this.nearestFix(observation.seenAt);
    if (fix === null) {
      this.#stats.untagged += 1;
      return observation;
    }
    this.#stats.tagged += 1;
    return { ...observation, lat: fix.lat, lon: fix.lon, altitudeM: fix.altitudeM, accuracyM: fix.accuracyM };
  }

  #lowerBound(time: number): number {
    let lo = 0;
    let hi = this.#fixes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#fixes[mid]!.fixedAt < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
