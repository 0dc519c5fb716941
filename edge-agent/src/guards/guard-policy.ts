import type { Readings } from "./readings.js";

export type MemoryPressure = "none" | "moderate" | "critical";

/** Thresholds and the sizes the guards shrink to; parsed from the environment in env.ts. */
export interface GuardConfig {
  rssModerateMb: number;
  rssCriticalMb: number;
  availableMemModerateMb: number;
  availableMemCriticalMb: number;
  /** Below this much free disk new observations are refused; ingest resumes above `diskResumeMb`. */
  diskFloorMb: number;
  diskResumeMb: number;
  /** SoC temperature that slows scanning, and the one it must fall below to speed up again. */
  hotC: number;
  coolC: number;
  /** Event-loop delay p99 that slows scanning, and the one it must fall below to recover. */
  lagMs: number;
  lagRecoverMs: number;
  /** Scan interval factor applied for heat and again for lag (both: the square). */
  cadenceSlowdown: number;
  moderateBatchRows: number;
  criticalBatchRows: number;
  moderateCacheKib: number;
  criticalCacheKib: number;
}

export interface GuardDecisions {
  memory: { level: MemoryPressure; reason: string };
  disk: { belowFloor: boolean; reason: string };
  heat: { hot: boolean; reason: string };
  lag: { lagging: boolean; reason: string };
  scanIntervalMultiplier: number;
}

/** The state before the first reading: nothing to do. */
export const CALM_DECISIONS: GuardDecisions = {
  memory: { level: "none", reason: "no reading yet" },
  disk: { belowFloor: false, reason: "no reading yet" },
  heat: { hot: false, reason: "no reading yet" },
  lag: { lagging: false, reason: "no reading yet" },
  scanIntervalMultiplier: 1,
};

/** Memory pressure ends only this far (10%) inside the moderate thresholds, so caches do not flap. */
const MEMORY_RELEASE_MARGIN = 0.1;

const mb = (v: number) => `${v.toFixed(1)} MB`;

/**
 * Turns one set of readings into decisions, each with the reason a person would want to read. Pure: the
 * previous decisions are an input because every guard has hysteresis (it leaves a state at a gentler
 * threshold than the one that entered it) and a missing reading keeps what was decided before.
 */
export function decideGuards(
  r: Readings,
  c: GuardConfig,
  previous: GuardDecisions = CALM_DECISIONS,
): GuardDecisions {
  const memory = decideMemory(r, c, previous.memory.level);
  const disk = decideDisk(r.diskFreeMb, c, previous.disk.belowFloor);
  const heat = decideHeat(r.socTempC, c, previous.heat.hot);
  const lag = decideLag(r.eventLoopP99Ms, c, previous.lag.lagging);
  const scanIntervalMultiplier = (heat.hot ? c.cadenceSlowdown : 1) * (lag.lagging ? c.cadenceSlowdown : 1);
  return { memory, disk, heat, lag, scanIntervalMultiplier };
}

function decideMemory(r: Readings, c: GuardConfig, previous: MemoryPressure): GuardDecisions["memory"] {
  const { rssMb: rss, availableMemMb: avail } = r;
  if (rss === null && avail === null) return { level: previous, reason: "no memory readings; level kept" };
  if (rss !== null && rss >= c.rssCriticalMb) {
    return { level: "critical", reason: `rss ${mb(rss)} >= critical ${mb(c.rssCriticalMb)}` };
  }
  if (avail !== null && avail <= c.availableMemCriticalMb) {
    return {
      level: "critical",
      reason: `available ${mb(avail)} <= critical ${mb(c.availableMemCriticalMb)}`,
    };
  }
  if (rss !== null && rss >= c.rssModerateMb) {
    return { level: "moderate", reason: `rss ${mb(rss)} >= moderate ${mb(c.rssModerateMb)}` };
  }
  if (avail !== null && avail <= c.availableMemModerateMb) {
    return {
      level: "moderate",
      reason: `available ${mb(avail)} <= moderate ${mb(c.availableMemModerateMb)}`,
    };
  }
  if (previous !== "none") {
    const rssRelease = c.rssModerateMb * (1 - MEMORY_RELEASE_MARGIN);
    const availRelease = c.availableMemModerateMb * (1 + MEMORY_RELEASE_MARGIN);
    if (rss !== null && rss >= rssRelease) {
      return { level: "moderate", reason: `rss ${mb(rss)} not yet below release ${mb(rssRelease)}` };
    }
    if (avail !== null && avail <= availRelease) {
      return {
        level: "moderate",
        reason: `available ${mb(avail)} not yet above release ${mb(availRelease)}`,
      };
    }
  }
  const parts = [rss === null ? null : `rss ${mb(rss)}`, avail === null ? null : `available ${mb(avail)}`];
  return { level: "none", reason: `${parts.filter((p) => p !== null).join(", ")} within limits` };
}

function decideDisk(free: number | null, c: GuardConfig, previous: boolean): GuardDecisions["disk"] {
  if (free === null) return { belowFloor: previous, reason: "free disk unknown; state kept" };
  if (free < c.diskFloorMb) {
    return { belowFloor: true, reason: `free disk ${mb(free)} < floor ${mb(c.diskFloorMb)}` };
  }
  if (previous && free < c.diskResumeMb) {
    return { belowFloor: true, reason: `free disk ${mb(free)} not yet above resume ${mb(c.diskResumeMb)}` };
  }
  return { belowFloor: false, reason: `free disk ${mb(free)} >= floor ${mb(c.diskFloorMb)}` };
}

function decideHeat(temp: number | null, c: GuardConfig, previous: boolean): GuardDecisions["heat"] {
  // No sensor (a VM, a container) is not a reason to slow down.
  if (temp === null) return { hot: false, reason: "no temperature sensor" };
  const t = `${temp.toFixed(1)} °C`;
  if (temp >= c.hotC) return { hot: true, reason: `SoC ${t} >= hot ${c.hotC} °C` };
  if (previous && temp > c.coolC) return { hot: true, reason: `SoC ${t} not yet below cool ${c.coolC} °C` };
  return { hot: false, reason: `SoC ${t} < hot ${c.hotC} °C` };
}

function decideLag(p99: number | null, c: GuardConfig, previous: boolean): GuardDecisions["lag"] {
  if (p99 === null) return { lagging: false, reason: "no event-loop samples" };
  const d = `${p99.toFixed(1)} ms`;
  if (p99 >= c.lagMs) return { lagging: true, reason: `event-loop p99 ${d} >= ${c.lagMs} ms` };
  if (previous && p99 > c.lagRecoverMs) {
    return { lagging: true, reason: `event-loop p99 ${d} not yet below recover ${c.lagRecoverMs} ms` };
  }
  return { lagging: false, reason: `event-loop p99 ${d} < ${c.lagMs} ms` };
}
