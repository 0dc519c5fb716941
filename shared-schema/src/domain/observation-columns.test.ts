import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { cloudObservations } from "../cloud/observations.js";
import { observations } from "../edge/observations.js";
import { OBSERVATION_SQL_COLUMNS, observationValues } from "./observation-columns.js";
import { emptyObservation } from "./observation-record.js";

const sqlNames = (table: Parameters<typeof getTableColumns>[0]) =>
  Object.values(getTableColumns(table)).map((c) => c.name);

describe("OBSERVATION_SQL_COLUMNS", () => {
  it("names every sighting column of the edge and the cloud tables, and nothing else", () => {
    const edge = sqlNames(observations).filter((n) => n !== "seq" && n !== "run_id");
    const cloud = sqlNames(cloudObservations).filter((n) => !["device_id", "run_id", "seq"].includes(n));
    expect([...OBSERVATION_SQL_COLUMNS].sort()).toEqual(edge.sort());
    expect([...OBSERVATION_SQL_COLUMNS].sort()).toEqual(cloud.sort());
  });

  it("lines values up with the columns", () => {
    const o = {
      ...emptyObservation({ kind: "ble", mac: "aa:bb:cc:dd:ee:ff", seenAt: 5, source: "wigle" }),
      rssiEstimated: true,
      mfgrId: 76,
      lat: -33.5,
    };
    const byColumn = Object.fromEntries(OBSERVATION_SQL_COLUMNS.map((c, i) => [c, observationValues(o)[i]]));
    expect(byColumn).toMatchObject({
      kind: "ble",
      mac: "aa:bb:cc:dd:ee:ff",
      seen_at: 5,
      rssi_estimated: 1,
      mfgr_id: 76,
      lat: -33.5,
      source: "wigle",
    });
    expect(observationValues(o)).toHaveLength(OBSERVATION_SQL_COLUMNS.length);
  });
});
