import { describe, expect, it } from "vitest";
import { compareLatencies } from "./compare-runs.js";
import { mannWhitneyU } from "./mann-whitney.js";

describe("mannWhitneyU", () => {
  it("matches the normal approximation with continuity correction (scipy asymptotic: p = 0.012186)", () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.u).toBe(0);
    expect(r.pValue).toBeCloseTo(0.012186, 5);
  });

  it("corrects for ties and gives p = 1 for identical samples", () => {
    expect(mannWhitneyU([3, 3, 3], [3, 3, 3]).pValue).toBe(1);
    // scipy.stats.mannwhitneyu([1,2,2,3,3,3], [2,3,3,4,4,5], method="asymptotic").pvalue = 0.078403
    expect(mannWhitneyU([1, 2, 2, 3, 3, 3], [2, 3, 3, 4, 4, 5]).pValue).toBeCloseTo(0.078403, 5);
  });
});

describe("compareLatencies", () => {
  const around = (center: number, n = 2000) =>
    Array.from({ length: n }, (_, i) => center + ((i * 7919) % 100) / 50);
  it("needs both significance and a 5 % effect", () => {
    expect(compareLatencies("b", around(20), around(20))).toMatchObject({ verdict: "same", changePct: 0 });
    // 2 % slower: significant with 2,000 samples each, but under the minimum effect
    expect(compareLatencies("b", around(20.4), around(20)).verdict).toBe("same");
    expect(compareLatencies("b", around(24), around(20))).toMatchObject({
      verdict: "slower",
      changePct: 19.1 /* (24.99 - 20.99) / 20.99 */,
    });
    expect(compareLatencies("b", around(16), around(20))).toMatchObject({ verdict: "faster" });
    // a big median change on too few samples is not significant
    expect(compareLatencies("b", [30, 10, 31], [20, 21, 19]).verdict).toBe("same");
  });
});
