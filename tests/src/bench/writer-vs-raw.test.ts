import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchedWriter, EdgeStore, networkValues, rollUpNetworks, tuningFor } from "@piwardrive/edge-agent";
import { afterAll, describe, expect, it } from "vitest";
import { UPSERT_NETWORK_SQL } from "./edge-schema.js";
import { ingestRaw, openRawDatabase } from "./raw-floor.js";
import { inChunks, syntheticObservations } from "./synthetic-observations.js";

/*
 * The ingest benchmark compares the BatchedWriter with a raw better-sqlite3 floor and with the guide's
 * per-row upserts. The comparison is only fair if all three do the same work: same observations, and a
 * `networks` table maintained to the same result.
 */

const dir = mkdtempSync(join(tmpdir(), "pw-baselines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 12_000;
const rows = () => syntheticObservations({ rows: ROWS, seed: 7 });
const tuning = tuningFor("medium");

const OBSERVATION_SQL = `SELECT kind, mac, ssid, auth_mode, capabilities, seen_at, channel, frequency_mhz, rssi_dbm,
  rssi_estimated, lat, lon, altitude_m, accuracy_m, rcois, mfgr_id, source FROM observations ORDER BY seq`;
const NETWORK_SQL = `SELECT mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen, observation_count,
  best_rssi_dbm, best_lat, best_lon, weight_sum, weighted_lat_sum, weighted_lon_sum, rssi_sum, rssi_count, lat, lon
  FROM networks ORDER BY mac`;

type Row = Record<string, unknown>;

let writerRuns = 0;
async function viaWriter(): Promise<{ observations: Row[]; networks: Row[] }> {
  writerRuns += 1;
  const store = await EdgeStore.open({ path: join(dir, `writer-${writerRuns}.db`), tuning, slowQueryMs: 0 });
  try {
    const writer = new BatchedWriter(store);
    for (const chunk of inChunks(rows(), 500)) await writer.write(chunk);
    await writer.close();
    const plain = (rs: { columns: string[]; rows: ArrayLike<unknown>[] }) =>
      rs.rows.map((r) => Object.fromEntries(rs.columns.map((c, i) => [c, r[i]])));
    return {
      observations: plain(await store.execute(OBSERVATION_SQL)),
      networks: plain(await store.execute(NETWORK_SQL)),
    };
  } finally {
    store.close();
  }
}

/** Reals to `digits` significant digits: sums of floating-point terms differ in the last bits with their order. */
function rounded(row: Row, digits = 9): Row {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(digits)) : v,
    ]),
  );
}

describe("ingest benchmark baselines do the writer's work", () => {
  it("the raw floor stores the same observations and the same networks as the BatchedWriter", async () => {
    const writer = await viaWriter();
    const db = openRawDatabase(join(dir, "raw.db"), tuning);
    try {
      expect(ingestRaw(db, "raw-run", inChunks(rows(), 1000))).toBe(ROWS);
      // Both bind the very same values: the observations are equal to the last bit.
      expect(db.prepare(OBSERVATION_SQL).all()).toEqual(writer.observations);
      const raw = db.prepare(NETWORK_SQL).all() as Row[];
      expect(raw.length).toBeGreaterThan(100);
      expect(raw.map((r) => rounded(r))).toEqual(writer.networks.map((r) => rounded(r)));
    } finally {
      db.close();
    }
  });

  it("the guide's upsert per observation ends with the same networks as the BatchedWriter", async () => {
    const writer = await viaWriter();
    const db = openRawDatabase(join(dir, "per-row.db"), tuning);
    try {
      const upsert = db.prepare(UPSERT_NETWORK_SQL);
      db.transaction(() => {
        for (const o of rows()) upsert.run(networkValues(rollUpNetworks([o])[0]!));
      })();
      const perRow = db.prepare(NETWORK_SQL).all() as Row[];
      expect(perRow.map((r) => rounded(r))).toEqual(writer.networks.map((r) => rounded(r)));
    } finally {
      db.close();
    }
  });
});
