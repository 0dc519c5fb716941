import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SystemReadings } from "./readings.js";

const dir = mkdtempSync(join(tmpdir(), "pw-readings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SystemReadings", () => {
  it("reads this machine: process RSS, available memory, free disk under the database", async () => {
    const source = new SystemReadings({ dbPath: join(dir, "edge.db"), clock: () => 1234 });
    try {
      await new Promise((r) => setTimeout(r, 60)); // let the loop-delay histogram collect samples
      const r = await source.read();
      expect(r.at).toBe(1234);
      expect(r.rssMb).toBeGreaterThan(10);
      expect(r.availableMemMb).toBeGreaterThan(0);
      expect(r.diskFreeMb).toBeGreaterThan(0);
      expect(r.eventLoopP99Ms).toBeGreaterThanOrEqual(0);
    } finally {
      source.close();
    }
  });

  it("reads the SoC temperature from a thermal zone file in millidegrees", async () => {
    const zone = join(dir, "temp");
    writeFileSync(zone, "61234\n");
    const source = new SystemReadings({ dbPath: join(dir, "edge.db"), thermalZonePath: zone });
    try {
      expect((await source.read()).socTempC).toBeCloseTo(61.234, 3);
    } finally {
      source.close();
    }
  });

  it("reports free disk as unknown when the database directory does not exist", async () => {
    const source = new SystemReadings({ dbPath: join(dir, "missing", "edge.db") });
    try {
      expect((await source.read()).diskFreeMb).toBeNull();
    } finally {
      source.close();
    }
  });
});
