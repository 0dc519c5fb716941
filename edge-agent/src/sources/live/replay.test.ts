import { emptyObservation, type GpsFixRecord } from "@piwardrive/shared-schema/domain";
import { describe, expect, it } from "vitest";
import type { SourceEvent } from "../../events/source-event.js";
import { replayDrive } from "./replay.js";

const T0 = 1_600_000_000_000;
const fix = (dt: number): SourceEvent => ({
  type: "fix",
  fix: {
    fixedAt: T0 + dt,
    lat: 1,
    lon: 2,
    altitudeM: null,
    mode: 2,
    accuracyM: null,
    hdop: null,
    speedMps: null,
    trackDeg: null,
    source: "nmea",
  } satisfies GpsFixRecord,
});
const obs = (dt: number): SourceEvent => ({
  type: "observation",
  observation: emptyObservation({ kind: "wifi", mac: "02:00:00:00:00:01", seenAt: T0 + dt, source: "iw" }),
});

describe("replayDrive", () => {
  const drive = [{ type: "record" } as SourceEvent, fix(0), obs(500), fix(1000), obs(1500), fix(4000)];

  it("waits the scaled gaps between events and re-dates the drive", async () => {
    const sleeps: number[] = [];
    const seen: number[] = [];
    const fixes: number[] = [];
    const startAt = 1_800_000_000_000;
    const result = await replayDrive(drive, {
      speed: 2,
      startAt,
      sleep: async (ms) => void sleeps.push(ms),
      onObservation: (o) => void seen.push(o.seenAt),
      onFix: (f) => void fixes.push(f.fixedAt),
    });
    expect(result).toEqual({ observations: 2, fixes: 3, driveMs: 4000 });
    expect(seen).toEqual([startAt + 500, startAt + 1500]);
    expect(fixes).toEqual([startAt, startAt + 1000, startAt + 4000]);
    // The clock does not advance while sleeping is faked, so each wait is the full scaled offset.
    expect(sleeps.map((s) => Math.round(s / 10) * 10)).toEqual([250, 500, 750, 2000]);
  });

  it("plays as fast as possible at speed 0 and keeps original times when not re-dated", async () => {
    const seen: number[] = [];
    let slept = false;
    await replayDrive(drive, {
      speed: 0,
      sleep: async () => {
        slept = true;
      },
      onObservation: (o) => void seen.push(o.seenAt),
      onFix: () => {},
    });
    expect(slept).toBe(false);
    expect(seen).toEqual([T0 + 500, T0 + 1500]);
  });

  it("really paces at real speed", async () => {
    const started = performance.now();
    await replayDrive([fix(0), fix(200)], { speed: 1, onObservation: () => {}, onFix: () => {} });
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });
});
