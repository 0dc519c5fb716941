import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deltaBatchArbitrary } from "../test-support/batch-arbitraries.js";
import { deltaBatchSchema } from "./delta-batch.js";
import { isSurelyValidBatch } from "./fast-validate.js";

const hostile = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, -151, 31, 0x10000, -1, 0.5, "", undefined),
  fc.string({ maxLength: 1100 }),
);

describe("isSurelyValidBatch", () => {
  it("accepts every valid batch (so the fast path is the one taken)", () => {
    fc.assert(
      fc.property(deltaBatchArbitrary, (batch) => {
        expect(isSurelyValidBatch(batch)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("never accepts what deltaBatchSchema refuses: any field of any row replaced by hostile values", () => {
    const sections = fc.constantFrom("top", "observations", "gpsTrack", "health");
    fc.assert(
      fc.property(
        deltaBatchArbitrary,
        sections,
        fc.nat(),
        fc.string(),
        hostile,
        (batch, section, i, k, v) => {
          const copy = structuredClone(batch) as unknown as Record<string, unknown>;
          const rows = copy[section];
          const target = (Array.isArray(rows) && rows.length > 0 ? rows[i % rows.length] : copy) as Record<
            string,
            unknown
          >;
          const keys = Object.keys(target);
          target[keys.length > 0 && i % 5 !== 0 ? (keys[i % keys.length] as string) : k] = v;
          if (isSurelyValidBatch(copy)) expect(deltaBatchSchema.safeParse(copy).success).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
