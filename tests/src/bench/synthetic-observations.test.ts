import { observationRecordSchema } from "@piwardrive/shared-schema";
import { describe, expect, it } from "vitest";
import { distinctTransmittersFor, inChunks, syntheticObservations } from "./synthetic-observations.js";

describe("synthetic drive", () => {
  const rows = [...syntheticObservations({ rows: 40_000, seed: 3 })];

  it("is deterministic for a seed and differs between seeds", () => {
    const again = [...syntheticObservations({ rows: 40_000, seed: 3 })];
    expect(again).toEqual(rows);
    const other = [...syntheticObservations({ rows: 1000, seed: 4 })];
    expect(other.map((o) => o.mac)).not.toEqual(rows.slice(0, 1000).map((o) => o.mac));
  });

  it("yields exactly the rows asked for, valid records with strictly increasing times", () => {
    expect(rows).toHaveLength(40_000);
    for (const o of rows.slice(0, 2000)) expect(observationRecordSchema.safeParse(o).success).toBe(true);
    let increasing = true;
    for (let k = 1; k < rows.length; k++) if (rows[k]!.seenAt <= rows[k - 1]!.seenAt) increasing = false;
    expect(increasing).toBe(true);
  });

  it("looks like a drive: weak-skewed RSSI in -95..-30, hidden SSIDs, BLE, auth modes and both bands", () => {
    const rssi = rows.map((o) => o.rssiDbm ?? 0);
    expect(Math.min(...rssi)).toBeGreaterThanOrEqual(-95);
    expect(Math.max(...rssi)).toBeLessThanOrEqual(-30);
    const weak = rssi.filter((r) => r <= -75).length;
    expect(weak / rows.length).toBeGreaterThan(0.5);
    expect(rows.filter((o) => o.kind === "wifi" && o.ssid === null).length / rows.length).toBeGreaterThan(
      0.03,
    );
    expect(rows.some((o) => o.kind === "ble")).toBe(true);
    expect(new Set(rows.map((o) => o.authMode)).size).toBeGreaterThanOrEqual(6);
    expect(rows.some((o) => (o.frequencyMhz ?? 0) > 5000)).toBe(true);
    expect(rows.some((o) => (o.frequencyMhz ?? 0) < 2500 && o.frequencyMhz !== null)).toBe(true);
  });

  it("sees each transmitter many times, with a few hundred networks per 1,000-row batch", () => {
    const macs = new Set(rows.map((o) => o.mac));
    expect(macs.size).toBeLessThanOrEqual(distinctTransmittersFor(40_000));
    expect(rows.length / macs.size).toBeGreaterThan(5);
    for (const batch of [...inChunks(rows, 1000)].slice(0, 5)) {
      const perBatch = new Set(batch.map((o) => o.mac)).size;
      expect(perBatch).toBeGreaterThan(20);
      expect(perBatch).toBeLessThan(500);
    }
  });

  it("scales the number of transmitters with the rows, between 5k and 50k", () => {
    expect(distinctTransmittersFor(10_000)).toBe(5_000);
    expect(distinctTransmittersFor(400_000)).toBe(20_000);
    expect(distinctTransmittersFor(10_000_000)).toBe(50_000);
  });
});
