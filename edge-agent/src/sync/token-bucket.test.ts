import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.js";

/** A bucket on a fake clock: sleeping advances time, and the sleeps are recorded. */
function fakeBucket(rate: number, burst: number) {
  let now = 0;
  const sleeps: number[] = [];
  const bucket = new TokenBucket(
    rate,
    burst,
    () => now,
    async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  );
  return { bucket, sleeps, elapsed: () => now, advance: (ms: number) => (now += ms) };
}

describe("TokenBucket", () => {
  it("lets a burst through, then paces to the rate", async () => {
    const { bucket, sleeps, elapsed } = fakeBucket(1_000, 500);
    await bucket.take(500);
    expect(sleeps).toEqual([]);
    await bucket.take(1_000);
    await bucket.take(250);
    expect(sleeps).toEqual([1_000, 250]);
    expect(elapsed()).toBe(1_250); // 1,750 bytes at 1,000 B/s after a 500 B burst
  });

  it("refills while idle, never beyond the burst", async () => {
    const { bucket, sleeps, advance } = fakeBucket(1_000, 500);
    await bucket.take(500);
    advance(10_000);
    await bucket.take(500);
    await bucket.take(100);
    expect(sleeps).toEqual([100]);
  });

  it("serves concurrent takers in turn so the total rate holds", async () => {
    const { bucket, elapsed } = fakeBucket(2_000, 0);
    await Promise.all([bucket.take(1_000), bucket.take(1_000), bucket.take(2_000)]);
    expect(elapsed()).toBe(2_000);
  });

  it("refuses a rate that is not positive", () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
