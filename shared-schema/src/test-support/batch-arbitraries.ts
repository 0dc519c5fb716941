import fc from "fast-check";
import { OBSERVATION_KINDS } from "../domain/observation-record.js";
import type { DeltaBatch, WireObservation } from "../wire/delta-batch.js";

/** Arbitraries for valid DeltaBatches: hostile strings, extreme integers, and both kinds of position. */

/** Any code points, lone surrogates included (a code point may take two UTF-16 units: zod counts units). */
const text = (maxLength: number, minLength = 0) =>
  fc.oneof(
    fc.string({ unit: "binary", minLength, maxLength: Math.floor(maxLength / 2) }),
    fc.string({ minLength, maxLength }),
  );
const safeInt = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const anyTime = fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), safeInt);
/** JSON has no -0 (it arrives as 0; see encode-batch.test.ts), and fast-check's noNegativeZero lets some through. */
const double = (c: fc.DoubleConstraints = {}) =>
  fc.double({ noNaN: true, noDefaultInfinity: true, ...c }).map((x) => x + 0);
const finite = double();

/** Positions either exactly on the 1e-7 grid (what receivers write) or arbitrary doubles in range. */
const degrees = (max: number) =>
  fc.oneof(
    fc.integer({ min: -max * 1e7, max: max * 1e7 }).map((u) => u / 1e7 + 0),
    double({ min: -max, max }),
  );

const observation = (seq: fc.Arbitrary<number>): fc.Arbitrary<WireObservation> =>
  fc.record({
    seq,
    kind: fc.constantFrom(...OBSERVATION_KINDS),
    mac: text(64, 1),
    ssid: fc.option(text(40)),
    authMode: fc.option(text(32)),
    capabilities: fc.option(text(60)),
    seenAt: anyTime,
    channel: fc.option(safeInt),
    frequencyMhz: fc.option(safeInt),
    rssiDbm: fc.option(fc.integer({ min: -150, max: 30 })),
    rssiEstimated: fc.boolean(),
    lat: fc.option(degrees(90)),
    lon: fc.option(degrees(180)),
    altitudeM: fc.option(finite),
    accuracyM: fc.option(double({ min: 0 })),
    rcois: fc.option(text(40)),
    mfgrId: fc.option(fc.integer({ min: 0, max: 0xffff })),
    source: text(32, 1),
  });

const fix = fc.record({
  fixedAt: anyTime,
  lat: degrees(90),
  lon: degrees(180),
  altitudeM: fc.option(finite),
  mode: fc.constantFrom(2, 3),
  accuracyM: fc.option(double({ min: 0, max: 1e6 })),
  hdop: fc.option(double({ min: 0, max: 100 })),
  speedMps: fc.option(finite),
  trackDeg: fc.option(finite),
  source: text(32, 1),
});

const guards = fc.record({
  memory: fc.constantFrom("none" as const, "moderate" as const, "critical" as const),
  diskBelowFloor: fc.boolean(),
  hot: fc.boolean(),
  lagging: fc.boolean(),
  scanIntervalMultiplier: double({ min: 0.001, max: 1000 }),
});

const health = fc.record(
  {
    sampledAt: anyTime,
    rssMb: fc.option(finite),
    availableMemMb: fc.option(finite),
    diskFreeMb: fc.option(finite),
    socTempC: fc.option(finite),
    eventLoopLagMs: fc.option(finite),
    writerQueueDepth: fc.option(safeInt),
    guards,
  },
  // `guards` is optional on the wire: batches from agents before it have none
  {
    requiredKeys: [
      "sampledAt",
      "rssMb",
      "availableMemMb",
      "diskFreeMb",
      "socTempC",
      "eventLoopLagMs",
      "writerQueueDepth",
    ],
  },
);

export const deltaBatchArbitrary: fc.Arbitrary<DeltaBatch> = fc
  .record({
    firstSeq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    span: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.nat()),
  })
  .chain(({ firstSeq, span }) => {
    const lastSeq = Math.min(Number.MAX_SAFE_INTEGER, firstSeq + span);
    return fc.record({
      version: fc.constant(1 as const),
      deviceId: text(64, 1),
      runId: text(64, 1),
      batchSeq: fc.nat(),
      firstSeq: fc.constant(firstSeq),
      lastSeq: fc.constant(lastSeq),
      observations: fc.array(observation(fc.integer({ min: firstSeq, max: lastSeq })), { maxLength: 25 }),
      gpsTrack: fc.array(fix, { maxLength: 10 }),
      health: fc.array(health, { maxLength: 4 }),
    });
  });
