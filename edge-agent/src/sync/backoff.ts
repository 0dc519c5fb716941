/** Retry timing for uploads: exponential backoff with full jitter, and the server's Retry-After. */

export interface BackoffPolicy {
  /** Delay ceiling for the first failure; doubles per consecutive failure. */
  baseMs: number;
  /** Cap on the exponential part (minutes, not hours: a link that comes back should be used soon). */
  maxMs: number;
  /** Cap on a server's Retry-After, so a broken header cannot park the device for days. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
};

/**
 * "Full jitter" (AWS architecture blog): a uniform delay in [0, min(max, base * 2^(failures-1))). A fleet
 * whose uploads all failed at once (the cloud restarted) then spreads its retries instead of returning
 * in lock-step. `failures` counts consecutive failures including the one just seen (>= 1).
 */
export function fullJitterDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(0, failures - 1), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After as milliseconds from `now`: either delay-seconds or an HTTP date (RFC 9110 10.2.3).
 * Returns null when absent or unparseable; a date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before the next attempt: the server's Retry-After when it sent one, else full jitter. */
export function retryDelay(
  failures: number,
  retryAfterMs: number | null,
  policy: BackoffPolicy,
  random: () => number,
): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return fullJitterDelay(failures, policy, random);
}
