import { describe, expect, it } from "vitest";
import { EdgeConfigError, parseEdgeConfig, tuningFromConfig } from "./env.js";
import { PROFILES } from "./store/tuning.js";

describe("parseEdgeConfig", () => {
  it("has a default for everything", () => {
    const config = parseEdgeConfig({});
    expect(config.dbPath).toBe("./data/edge.db");
    expect(config.profile).toBeUndefined();
    expect(config.synchronous).toBe("NORMAL");
    expect(config.guards.diskResumeMb).toBeGreaterThan(config.guards.diskFloorMb);
    expect(config.guards.coolC).toBeLessThan(config.guards.hotC);
    expect(config.maintenance.walCheckpointBytes).toBe(16 * 1024 * 1024);
  });

  it("reads the variables, treating empty ones as unset", () => {
    const config = parseEdgeConfig({
      PIWARDRIVE_EDGE_DB: "/var/lib/pw/edge.db",
      PIWARDRIVE_EDGE_PROFILE: "small",
      PIWARDRIVE_EDGE_SYNCHRONOUS: "full",
      PIWARDRIVE_EDGE_DISK_FLOOR_MB: "64",
      PIWARDRIVE_EDGE_RETENTION_DAYS: "0.5",
      PIWARDRIVE_EDGE_SLOW_QUERY_MS: "",
    });
    expect(config.dbPath).toBe("/var/lib/pw/edge.db");
    expect(config.synchronous).toBe("FULL");
    expect(config.guards.diskFloorMb).toBe(64);
    expect(config.maintenance.retentionDays).toBe(0.5);
    expect(config.slowQueryMs).toBe(200);
    const tuning = tuningFromConfig(config, 8 * 1024 ** 3);
    expect(tuning.profile).toBe("small");
    expect(tuning.cacheSizeKib).toBe(PROFILES.small.cacheSizeKib);
  });

  it("sizes the profile from total memory when none is set", () => {
    expect(tuningFromConfig(parseEdgeConfig({}), 512 * 1024 ** 2).profile).toBe("small");
  });

  it("names every invalid variable", () => {
    const bad = () => parseEdgeConfig({ PIWARDRIVE_EDGE_PROFILE: "huge", PIWARDRIVE_EDGE_LAG_MS: "soon" });
    expect(bad).toThrow(EdgeConfigError);
    expect(bad).toThrow(/PIWARDRIVE_EDGE_PROFILE.*PIWARDRIVE_EDGE_LAG_MS/);
  });
});
