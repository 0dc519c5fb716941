import { describe, expect, it } from "vitest";
import { parseEdgeConfig } from "../env.js";
import { CALM_DECISIONS, decideGuards } from "./guard-policy.js";
import type { Readings } from "./readings.js";

const config = parseEdgeConfig({}).guards;
const calm: Readings = {
  at: 0,
  rssMb: 50,
  availableMemMb: 400,
  diskFreeMb: 5000,
  socTempC: 50,
  eventLoopP99Ms: 5,
};
const decide = (r: Partial<Readings>, previous = CALM_DECISIONS) =>
  decideGuards({ ...calm, ...r }, config, previous);

describe("decideGuards", () => {
  it("decides nothing when every reading is within limits, and says so", () => {
    const d = decide({});
    expect(d.memory.level).toBe("none");
    expect(d.disk.belowFloor).toBe(false);
    expect(d.heat.hot).toBe(false);
    expect(d.lag.lagging).toBe(false);
    expect(d.scanIntervalMultiplier).toBe(1);
    expect(d.memory.reason).toMatch(/within limits/);
  });

  it("grades memory pressure from RSS and from available memory, with the reason", () => {
    expect(decide({ rssMb: config.rssModerateMb }).memory).toEqual({
      level: "moderate",
      reason: `rss ${config.rssModerateMb.toFixed(1)} MB >= moderate ${config.rssModerateMb.toFixed(1)} MB`,
    });
    expect(decide({ rssMb: config.rssCriticalMb + 1 }).memory.level).toBe("critical");
    expect(decide({ availableMemMb: config.availableMemModerateMb - 1 }).memory.level).toBe("moderate");
    const critical = decide({ availableMemMb: config.availableMemCriticalMb });
    expect(critical.memory.level).toBe("critical");
    expect(critical.memory.reason).toMatch(/^available .* <= critical/);
  });

  it("leaves memory pressure only with a margin below the moderate threshold", () => {
    const pressed = decide({ rssMb: config.rssModerateMb + 5 });
    const justBelow = decide({ rssMb: config.rssModerateMb - 1 }, pressed);
    expect(justBelow.memory.level).toBe("moderate");
    expect(justBelow.memory.reason).toMatch(/not yet below release/);
    expect(decide({ rssMb: config.rssModerateMb * 0.5 }, justBelow).memory.level).toBe("none");
    // Without earlier pressure the same reading is simply fine.
    expect(decide({ rssMb: config.rssModerateMb - 1 }).memory.level).toBe("none");
  });

  it("holds the disk floor until free space passes the resume threshold", () => {
    const low = decide({ diskFreeMb: config.diskFloorMb - 1 });
    expect(low.disk.belowFloor).toBe(true);
    expect(low.disk.reason).toMatch(/< floor/);
    const between = decide({ diskFreeMb: (config.diskFloorMb + config.diskResumeMb) / 2 }, low);
    expect(between.disk.belowFloor).toBe(true);
    expect(decide({ diskFreeMb: config.diskResumeMb }, between).disk.belowFloor).toBe(false);
  });

  it("keeps the previous disk and memory state when the reading is missing", () => {
    const low = decide({ diskFreeMb: 1, rssMb: config.rssCriticalMb });
    const blind = decide({ diskFreeMb: null, rssMb: null, availableMemMb: null }, low);
    expect(blind.disk).toEqual({ belowFloor: true, reason: "free disk unknown; state kept" });
    expect(blind.memory.level).toBe("critical");
  });

  it("slows the cadence for heat and for lag, and by both when both apply", () => {
    const hot = decide({ socTempC: config.hotC + 1 });
    expect(hot.heat.hot).toBe(true);
    expect(hot.scanIntervalMultiplier).toBe(config.cadenceSlowdown);
    const lagging = decide({ eventLoopP99Ms: config.lagMs });
    expect(lagging.lag.lagging).toBe(true);
    expect(lagging.scanIntervalMultiplier).toBe(config.cadenceSlowdown);
    const both = decide({ socTempC: config.hotC, eventLoopP99Ms: config.lagMs * 2 });
    expect(both.scanIntervalMultiplier).toBe(config.cadenceSlowdown ** 2);
  });

  it("cools down and recovers only past the lower thresholds", () => {
    const hot = decide({ socTempC: config.hotC, eventLoopP99Ms: config.lagMs });
    const warm = decide({ socTempC: config.coolC + 1, eventLoopP99Ms: config.lagRecoverMs + 1 }, hot);
    expect(warm.heat.hot).toBe(true);
    expect(warm.lag.lagging).toBe(true);
    const cool = decide({ socTempC: config.coolC - 1, eventLoopP99Ms: config.lagRecoverMs - 1 }, warm);
    expect(cool.heat.hot).toBe(false);
    expect(cool.lag.lagging).toBe(false);
    expect(cool.scanIntervalMultiplier).toBe(1);
  });

  it("does not slow down when there is no temperature sensor or no loop samples", () => {
    const d = decide({ socTempC: null, eventLoopP99Ms: null }, decide({ socTempC: 90 }));
    expect(d.heat).toEqual({ hot: false, reason: "no temperature sensor" });
    expect(d.lag.lagging).toBe(false);
  });
});
