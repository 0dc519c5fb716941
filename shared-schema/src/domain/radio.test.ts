import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { channelToFrequency, frequencyToChannel, qualityToDbm } from "./radio.js";

describe("frequencyToChannel", () => {
  it.each([
    [2412, 1],
    [2437, 6],
    [2472, 13],
    [2484, 14],
    [5180, 36],
    [5220, 44],
    [5825, 165],
    [5955, 1],
    [5935, 2],
  ])("%d MHz is channel %d", (mhz, channel) => {
    expect(frequencyToChannel(mhz)).toBe(channel);
  });

  it("refuses off-grid and non-integer frequencies instead of inventing fractional channels", () => {
    expect(frequencyToChannel(2413)).toBeNull();
    expect(frequencyToChannel(2412.5)).toBeNull();
    expect(frequencyToChannel(5181)).toBeNull();
    expect(frequencyToChannel(Number.NaN)).toBeNull();
    expect(frequencyToChannel(900)).toBeNull();
  });

  it("returns only integer channels", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 8000 }), (mhz) => {
        const channel = frequencyToChannel(mhz);
        expect(channel === null || Number.isInteger(channel)).toBe(true);
      }),
    );
  });

  it("inverts channelToFrequency for 2.4 and 5 GHz channels", () => {
    for (const channel of [1, 6, 11, 13, 14, 36, 100, 165]) {
      const mhz = channelToFrequency(channel);
      expect(mhz).not.toBeNull();
      expect(frequencyToChannel(mhz!)).toBe(channel);
    }
  });
});

describe("qualityToDbm", () => {
  it("maps the quality ratio linearly onto -100..-50 dBm", () => {
    expect(qualityToDbm(0, 100)).toBe(-100);
    expect(qualityToDbm(100, 100)).toBe(-50);
    expect(qualityToDbm(56, 100)).toBe(-72);
    expect(qualityToDbm(34, 70)).toBe(-76);
  });

  it("refuses ratios above the maximum and a zero maximum", () => {
    expect(qualityToDbm(101, 100)).toBeNull();
    expect(qualityToDbm(5, 0)).toBeNull();
    expect(qualityToDbm(-1, 100)).toBeNull();
  });
});
