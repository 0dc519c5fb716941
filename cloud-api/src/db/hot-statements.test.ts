import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevice } from "../services/devices.js";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, manySightings } from "../test-support/batches.js";
import { openTempDb } from "../test-support/test-cloud.js";
import {
  checkHotStatements,
  fullScansOfLargeTables,
  hotStatements,
  type PlanCheck,
} from "./hot-statements.js";
import { explainPlan } from "./statement-stats.js";

let temp: Awaited<ReturnType<typeof openTempDb>>;
beforeAll(async () => {
  temp = await openTempDb();
  // a few merged batches, so the tables and their statistics are not empty
  const device = await createDevice(temp.db, { name: "pi-1" });
  for (let b = 0; b < 8; b += 1) {
    const batch = makeBatch({ deviceId: device.id, batchSeq: b }, manySightings(1500, b * 1500 + 1, 1500));
    const encoded = await encodeDeltaBatch(batch);
    await landBatch(temp.db, {
      batch,
      payload: encoded.body,
      contentEncoding: "gzip",
      receivedAt: Date.now(),
    });
    await mergeBatch({ db: temp.db, key: { deviceId: device.id, runId: batch.runId, batchSeq: b } });
  }
});
afterAll(() => temp.cleanup());

const report = (checks: PlanCheck[]) =>
  checks.filter((c) => c.fullScans.length > 0).map((c) => `${c.name}: ${c.plan.join(" | ")}`);

describe("hot statements", () => {
  it("cover search, detail, observations, exports, every merge step and the reconciler", () => {
    const names = hotStatements().map((h) => h.name);
    expect(new Set(names).size).toBe(names.length);
    for (const prefix of [
      "networks_in_bbox",
      "networks_seen_since",
      "networks_ssid_prefix",
      "network_detail",
    ]) {
      expect(names).toContain(prefix);
    }
    expect(names.filter((n) => n.startsWith("merge_")).length).toBeGreaterThan(8);
    expect(names).toContain("export_observations_page");
    expect(names).toContain("observations_by_mac");
    expect(names).toContain("reconciler_landed_batches");
  });

  // Statistics matter: ANALYZE on a tiny database makes SCAN the right plan (and SQLite takes it), so the
  // second check runs on tables of a few thousand rows, where a scan would already cost.
  it("none SCANs a large table, without statistics and after ANALYZE", async () => {
    const before = await checkHotStatements(temp.db);
    // every statement has a plan, except DELETE without WHERE (SQLite's truncate optimisation)
    const unplanned = before.filter((c) => c.plan.length === 0).map((c) => c.sql);
    for (const sql of unplanned) expect(sql).toMatch(/^DELETE FROM temp\.\w+$/);
    expect(report(before)).toEqual([]);
    await temp.db.execute("ANALYZE");
    expect(report(await checkHotStatements(temp.db))).toEqual([]);
  });

  it("the check itself catches a full scan, through aliases, and lets index walks pass", () => {
    expect(fullScansOfLargeTables("SELECT * FROM observations o WHERE o.ssid = ?", ["SCAN o"])).toEqual([
      "SCAN o",
    ]);
    expect(fullScansOfLargeTables("SELECT * FROM networks", ["SCAN networks"])).toEqual(["SCAN networks"]);
    expect(
      fullScansOfLargeTables("SELECT * FROM networks ORDER BY last_seen LIMIT 5", [
        "SCAN networks USING INDEX cloud_networks_seen_idx",
      ]),
    ).toEqual([]);
    expect(fullScansOfLargeTables("SELECT * FROM temp.merge_stage", ["SCAN merge_stage"])).toEqual([]);
  });

  it("a real unindexed query is caught", async () => {
    const sql = "SELECT * FROM observations WHERE ssid = ?";
    const plan = await explainPlan(temp.db, { sql, args: ["x"] });
    expect(fullScansOfLargeTables(sql, plan)).toEqual(["SCAN observations"]);
  });
});
