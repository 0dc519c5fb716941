import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BackoffPolicy, fullJitterDelay, parseRetryAfter, retryDelay } from "./backoff.js";

const policy: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, maxRetryAfterMs: 3_600_000 };

describe("backoff", () => {
  it("draws full jitter under a ceiling that doubles per failure up to the cap", () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 7, 8, 50].map((n) => fullJitterDelay(n, policy, top))).toEqual([
      999,
      1999,
      3999,
      7999,
      60_000 - 1,
      60_000 - 1,
      60_000 - 1,
    ]);
    expect(fullJitterDelay(5, policy, () => 0)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (n, r) => {
          const d = fullJitterDelay(n, policy, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1)));
        },
      ),
    );
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-06-01T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Sun, 01 Jun 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Sun, 01 Jun 2025 11:00:00 GMT", now)).toBe(0); // in the past: now
    for (const bad of [null, undefined, "", "-5", "1.5", "soon", "12abc"])
      expect(parseRetryAfter(bad, now)).toBeNull();
  });

  it("prefers the server's Retry-After (capped) over jitter", () => {
    expect(retryDelay(9, 2_000, policy, () => 0.5)).toBe(2_000);
    expect(retryDelay(1, 10 * 3_600_000, policy, () => 0.5)).toBe(3_600_000);
    expect(retryDelay(2, null, policy, () => 0.5)).toBe(1_000);
  });
});
