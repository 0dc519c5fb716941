import { getTableColumns } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cloudObservations } from "../cloud/observations.js";
import { observations } from "../edge/observations.js";
import {
  OBSERVATION_SQL_COLUMNS,
  observationFromValues,
  observationValues,
  pushObservationValues,
} from "./observation-columns.js";
import { emptyObservation, OBSERVATION_KINDS, type ObservationRecord } from "./observation-record.js";

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

// JSON has no -0 (it reads back as 0, which SQLite stores the same way): generate finite doubles without it.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x || 0);
const observation: fc.Arbitrary<ObservationRecord> = fc.record({
  kind: fc.constantFrom(...OBSERVATION_KINDS),
  mac: fc.string(),
  ssid: fc.option(fc.string(), { nil: null }),
  authMode: fc.option(fc.string(), { nil: null }),
  capabilities: fc.option(fc.string(), { nil: null }),
  seenAt: fc.integer({ min: 0, max: 2 ** 52 }),
  channel: fc.option(fc.integer(), { nil: null }),
  frequencyMhz: fc.option(fc.integer(), { nil: null }),
  rssiDbm: fc.option(fc.integer({ min: -150, max: 0 }), { nil: null }),
  rssiEstimated: fc.boolean(),
  lat: fc.option(finite, { nil: null }),
  lon: fc.option(finite, { nil: null }),
  altitudeM: fc.option(finite, { nil: null }),
  accuracyM: fc.option(finite, { nil: null }),
  rcois: fc.option(fc.string(), { nil: null }),
  mfgrId: fc.option(fc.integer(), { nil: null }),
  source: fc.string(),
});

describe("observationFromValues", () => {
  it("rebuilds the very sighting from its values, also after a JSON round trip", () => {
    fc.assert(
      fc.property(observation, (o) => {
        expect(observationFromValues(observationValues(o))).toEqual(o);
        expect(observationFromValues(JSON.parse(JSON.stringify(observationValues(o))))).toEqual(o);
      }),
      { numRuns: 500 },
    );
  });
});

describe("pushObservationValues", () => {
  it("appends each sighting's values after what the array already holds", () => {
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 5 }), (sightings) => {
        const out: (string | number | null)[] = ["run"];
        for (const o of sightings) pushObservationValues(o, out);
        expect(out).toEqual(["run", ...sightings.flatMap(observationValues)]);
      }),
      { numRuns: 200 },
    );
  });
});
