import { HttpSender } from "./http-sender.js";
import { runOpenSchedule } from "./open-schedule.js";
import { type MeasuredRun, RunStats } from "./run-stats.js";
import type { Scenario } from "./scenario.js";

export interface LoadOptions {
  target: string;
  scenario: Scenario;
  /** open: starts on a fixed schedule at `rate`; closed: `connections` loops back to back. */
  model: "open" | "closed";
  rate: number;
  durationS: number;
  warmupS: number;
  connections: number;
  timeoutMs: number;
  authorization?: string;
  random?: () => number;
}

/** Closed runs are not scheduled; this many requests per connection and second is the prepare() estimate. */
const CLOSED_PREPARE_RATE = 1000;

/**
 * Runs one load test. Open model: request i is due at i / rate; its latency runs from that due time to
 * the end of its response, so a server stall shows in every request scheduled during it (no coordinated
 * omission). Closed model: each connection sends its next request when the previous one ended, latency
 * from the actual send; a stall then delays only the few requests in flight, which is why it is opt-in.
 */
export async function runLoad(options: LoadOptions): Promise<MeasuredRun> {
  const random = options.random ?? Math.random;
  const stats = new RunStats(random);
  const sender = new HttpSender({
    target: options.target,
    connections: options.connections,
    timeoutMs: options.timeoutMs,
    ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
  });
  const totalS = options.warmupS + options.durationS;
  const expected =
    options.model === "open"
      ? Math.ceil(options.rate * totalS)
      : Math.min(200_000, Math.ceil(CLOSED_PREPARE_RATE * options.connections * totalS));
  try {
    await options.scenario.prepare?.(expected);
    const run = options.model === "open" ? runOpen : runClosed;
    return await run(options, sender, stats, random);
  } finally {
    await sender.close();
    await options.scenario.close?.();
  }
}

async function runOpen(
  options: LoadOptions,
  sender: HttpSender,
  stats: RunStats,
  random: () => number,
): Promise<MeasuredRun> {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const startedAt = performance.now();
  const measureFrom = startedAt + options.warmupS * 1000;
  let lastEnd = measureFrom;
  await runOpenSchedule(
    { ratePerS: options.rate, durationMs: (options.warmupS + options.durationS) * 1000 },
    (due, delayMs) => {
      const request = options.scenario.next(random);
      const measured = due >= measureFrom;
      if (measured) stats.recordStart(delayMs);
      inFlight += 1;
      sender.dispatch(request, (outcome) => {
        const end = performance.now();
        inFlight -= 1;
        if (measured) {
          lastEnd = Math.max(lastEnd, end);
          stats.recordOutcome(request.route, end - due, outcome);
        }
        if (inFlight === 0) drained?.();
      });
    },
  );
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  const elapsedS = Math.max(options.durationS, (lastEnd - measureFrom) / 1000);
  return stats.finish(elapsedS);
}

async function runClosed(
  options: LoadOptions,
  sender: HttpSender,
  stats: RunStats,
  random: () => number,
): Promise<MeasuredRun> {
  const startedAt = performance.now();
  const measureFrom = startedAt + options.warmupS * 1000;
  const endAt = measureFrom + options.durationS * 1000;
  let lastEnd = measureFrom;
  const loop = async () => {
    while (performance.now() < endAt) {
      const request = options.scenario.next(random);
      const sentAt = performance.now();
      const outcome = await sender.send(request);
      const end = performance.now();
      if (sentAt < measureFrom) continue;
      lastEnd = Math.max(lastEnd, end);
      stats.recordOutcome(request.route, end - sentAt, outcome);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  return stats.finish(Math.max(options.durationS, (lastEnd - measureFrom) / 1000));
}
