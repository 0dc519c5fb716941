import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import type { SourceEvent } from "../../events/source-event.js";

export interface ReplayOptions {
  /** 1 = real time, 10 = ten times faster, 0 = as fast as possible. */
  speed: number;
  /** Re-date the drive so that its first event happens at this time (ms); omit to keep original times. */
  startAt?: number;
  onObservation: (observation: ObservationRecord) => Promise<unknown> | unknown;
  onFix: (fix: GpsFixRecord) => Promise<unknown> | unknown;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplayResult {
  observations: number;
  fixes: number;
  /** Span of the original drive, ms. */
  driveMs: number;
}

const eventTime = (e: SourceEvent): number | null =>
  e.type === "observation" ? e.observation.seenAt : e.type === "fix" ? e.fix.fixedAt : null;

/**
 * Plays a recorded drive (the events of an imported file, in time order) back at real or accelerated
 * speed, optionally re-dated to now: for demos, and as a steady load on the writer and sync.
 */
export async function replayDrive(
  events: AsyncIterable<SourceEvent> | Iterable<SourceEvent>,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const wallStart = performance.now();
  let first: number | null = null;
  let last: number | null = null;
  const result: ReplayResult = { observations: 0, fixes: 0, driveMs: 0 };
  for await (const event of events) {
    if (options.signal?.aborted) break;
    const t = eventTime(event);
    if (t === null) continue;
    first ??= t;
    last = Math.max(last ?? t, t);
    if (options.speed > 0) {
      const due = (t - first) / options.speed - (performance.now() - wallStart);
      if (due > 1) await sleep(due);
    }
    const shift = options.startAt === undefined ? 0 : options.startAt - first;
    if (event.type === "observation") {
      await options.onObservation({ ...event.observation, seenAt: event.observation.seenAt + shift });
      result.observations += 1;
    } else if (event.type === "fix") {
      await options.onFix({ ...event.fix, fixedAt: event.fix.fixedAt + shift });
      result.fixes += 1;
    }
  }
  result.driveMs = first === null || last === null ? 0 : last - first;
  return result;
}
