import type { Comparison } from "./load-result.js";
import { mannWhitneyU, median } from "./mann-whitney.js";

/** A difference must be at least this large (in the median) to count, however small its p-value. */
export const MIN_EFFECT_PCT = 5;
/** Significance level of the Mann-Whitney test. */
export const ALPHA = 0.01;

/**
 * Compares a run's per-request latencies with a baseline's (all its runs pooled): "slower" or "faster"
 * only when the difference is both significant (Mann-Whitney, p < ALPHA) and at least MIN_EFFECT_PCT in
 * the median; otherwise "same". With thousands of samples almost any difference is significant, which is
 * why the minimum effect decides most verdicts between runs of the same code.
 */
export function compareLatencies(
  baseline: string,
  current: readonly number[],
  previous: readonly number[],
): Comparison {
  const { pValue } = mannWhitneyU(current, previous);
  const before = median(previous);
  const changePct = before > 0 ? ((median(current) - before) / before) * 100 : 0;
  const verdict =
    pValue < ALPHA && Math.abs(changePct) >= MIN_EFFECT_PCT ? (changePct > 0 ? "slower" : "faster") : "same";
  return {
    baseline,
    verdict,
    changePct: Math.round(changePct * 10) / 10,
    pValue: pValue < 1e-6 ? Number(pValue.toExponential(2)) : Math.round(pValue * 1e6) / 1e6,
  };
}
