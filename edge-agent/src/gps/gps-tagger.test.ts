import { emptyObservation, type GpsFixRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GpsTagger } from "./gps-tagger.js";

const T0 = 1_750_000_000_000;
const fix = (dt: number, lat = 50, accuracyM: number | null = 5): GpsFixRecord => ({
  fixedAt: T0 + dt,
  lat,
  lon: 14,
  altitudeM: 200,
  mode: 3,
  accuracyM,
  hdop: null,
  speedMps: null,
  trackDeg: null,
  source: "test",
});
const sighting = (dt: number) =>
  emptyObservation({ kind: "wifi", mac: "02:00:00:00:00:01", seenAt: T0 + dt, source: "iw" });

describe("GpsTagger", () => {
  it("tags with the nearest fix in time and its accuracy", () => {
    const tagger = new GpsTagger();
    tagger.addFix(fix(0, 50.0, 3));
    tagger.addFix(fix(1000, 50.1, 7));
    const tagged = tagger.tag(sighting(800));
    expect(tagged.lat).toBe(50.1);
    expect(tagged.accuracyM).toBe(7);
    expect(tagger.tag(sighting(200)).lat).toBe(50.0);
  });

  it("leaves a sighting untagged (and counts it) when no fix is within the bound", () => {
    const tagger = new GpsTagger({ maxGapMs: 2000 });
    tagger.addFix(fix(0));
    const far = tagger.tag(sighting(2500));
    expect(far.lat).toBeNull();
    expect(tagger.tag(sighting(-2001)).lat).toBeNull();
    expect(tagger.tag(sighting(2000)).lat).toBe(50);
    expect(tagger.stats).toMatchObject({ tagged: 1, untagged: 2 });
  });

  it("keeps a sighting's own position", () => {
    const tagger = new GpsTagger();
    tagger.addFix(fix(0, 10));
    const own = { ...sighting(0), lat: -33.4, lon: 151.1 };
    expect(tagger.tag(own).lat).toBe(-33.4);
    expect(tagger.stats.alreadyPositioned).toBe(1);
  });

  it("replaces a repeated epoch and accepts fixes out of order", () => {
    const tagger = new GpsTagger();
    tagger.addFix(fix(1000, 1));
    tagger.addFix(fix(0, 2));
    tagger.addFix(fix(1000, 3));
    expect(tagger.stats.fixes).toBe(2);
    expect(tagger.nearestFix(T0 + 1000)?.lat).toBe(3);
    expect(tagger.nearestFix(T0)?.lat).toBe(2);
  });

  it("forgets fixes older than its window", () => {
    const tagger = new GpsTagger({ windowMs: 5000 });
    for (let s = 0; s <= 20; s++) tagger.addFix(fix(s * 1000));
    expect(tagger.stats.fixes).toBe(6);
    expect(tagger.nearestFix(T0)).toBeNull();
  });

  it("always picks a fix no farther than any other (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: -3000, max: 63_000 }),
        (times, t) => {
          const tagger = new GpsTagger({ maxGapMs: 2000, windowMs: 10 * 60_000 });
          for (const dt of times) tagger.addFix(fix(dt));
          const got = tagger.nearestFix(T0 + t);
          const bestGap = Math.min(...times.map((dt) => Math.abs(dt - t)));
          if (bestGap > 2000) expect(got).toBeNull();
          else expect(Math.abs(got!.fixedAt - (T0 + t))).toBe(bestGap);
        },
      ),
    );
  });
});
