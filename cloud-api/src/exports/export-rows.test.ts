import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { numberText, utcSeconds } from "./export-rows.js";

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

describe("utcSeconds", () => {
  it("is toISOString to the second, for times in order and out of it (it reuses the last second)", () => {
    const ms = fc.oneof(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.double({ min: -1e13, max: 1e13, noNaN: true }),
    );
    fc.assert(
      fc.property(
        ms,
        fc.array(fc.integer({ min: -1500, max: 90_000 }), { maxLength: 40 }),
        (start, steps) => {
          let t = start;
          for (const step of [0, ...steps]) {
            t += step;
            if (Math.abs(t) > 8.64e15) return;
            expect(utcSeconds(t)).toBe(iso(t));
          }
        },
      ),
    );
  });

  it("refuses what toISOString refuses", () => {
    for (const bad of [Number.NaN, 8.64e15 + 1, Number.POSITIVE_INFINITY]) {
      expect(() => utcSeconds(bad)).toThrow(RangeError);
    }
  });
});

describe("numberText", () => {
  it("is String() of any value", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, 1e21, 1e-7, null, "6")), (v) => {
        expect(numberText(v)).toBe(String(v));
      }),
    );
  });
});
