/*
 * The open model's clock: request i is due at start + i / rate whatever the server does. Timers alone are
 * too coarse (setTimeout has a 1 ms floor and fires late under load), so the loop sleeps on a timer only
 * while the next start is more than 2 ms away and otherwise yields with setImmediate, which still lets
 * I/O callbacks (responses) run between starts. Each start's own scheduling delay (actual - due) is
 * handed to `fire`, so the generator can prove it was not the bottleneck.
 */

export interface OpenScheduleOptions {
  ratePerS: number;
  durationMs: number;
  /** Called when the schedule is over or `signal` aborts; default: run to the end. */
  signal?: AbortSignal;
}

/** Sleeping on a timer is only safe this far ahead of the next start (timers fire up to ~1 ms late). */
const TIMER_MARGIN_MS = 2;

/**
 * Calls `fire(dueAt, delayMs)` once per scheduled start (performance.now() clock) and resolves with the
 * number of starts once the last one fired.
 */
export function runOpenSchedule(
  options: OpenScheduleOptions,
  fire: (dueAt: number, delayMs: number) => void,
): Promise<number> {
  const intervalMs = 1000 / options.ratePerS;
  const total = Math.floor((options.ratePerS * options.durationMs) / 1000);
  const start = performance.now();
  let index = 0;
  return new Promise((resolve, reject) => {
    const tick = () => {
      try {
        let now = performance.now();
        while (index < total && !options.signal?.aborted) {
          const due = start + index * intervalMs;
          if (due > now) break;
          index += 1;
          fire(due, now - due);
          now = performance.now();
        }
        if (index >= total || options.signal?.aborted) {
          resolve(index);
          return;
        }
        const wait = start + index * intervalMs - performance.now();
        if (wait > TIMER_MARGIN_MS) setTimeout(tick, wait - TIMER_MARGIN_MS);
        else setImmediate(tick);
      } catch (error) {
        reject(error);
      }
    };
    tick();
  });
}
