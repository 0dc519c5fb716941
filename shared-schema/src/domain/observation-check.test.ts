import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gpsFixRecordSchema, observationRecordSchema } from "../validation/record-schemas.js";
import { checkGpsFix, checkObservation } from "./observation-check.js";
import { emptyObservation, OBSERVATION_KINDS } from "./observation-record.js";

/** Property runs in the thousands take seconds on a 2-core machine: their run count, not time, is the test. */
const LONG_PROPERTY_MS = 60_000;

const valid = {
  ...emptyObservation({ kind: "wifi", mac: "00:11:22:33:44:55", seenAt: 1_700_000_000_000, source: "wigle" }),
  ssid: "Home",
  authMode: "wpa2",
  capabilities: "[WPA2-PSK-CCMP][ESS]",
  channel: 6,
  frequencyMhz: 2437,
  rssiDbm: -67,
  lat: 51.5,
  lon: -0.12,
  altitudeM: 35.2,
  accuracyM: 4,
};

/** Values of no particular type, shared by every field as its "wrong kind" pool. */
const strangers = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, true, false, 0, "", "1", [], {}, 1n, Symbol.for("x")),
  fc.anything(),
);

/** Numbers at and around every edge zod cares about, plus ranged ones around [min, max]. */
function numbers(min: number, max: number): fc.Arbitrary<unknown> {
  const edges = [min, max, min - 1, max + 1, min + 0.5, max - 0.5, min - 0.5, max + 0.5, min + 1, max - 1];
  return fc.oneof(
    fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      1,
      -1,
      1.5,
      -1.5,
      Number.EPSILON,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER + 1,
      Number.MIN_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER - 1,
      2 ** 53,
      -(2 ** 53),
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      ...edges.filter(Number.isFinite),
    ),
    fc.integer({ min: Math.max(min, -1e6) - 2, max: Math.min(max, 1e6) + 2 }),
    fc.double({ min: Math.max(min, -1e6) - 2, max: Math.min(max, 1e6) + 2 }),
    fc.integer(),
    fc.double(),
  );
}

/** Strings around the length limits, with astral characters and lone surrogates so code points and UTF-16 units differ. */
function strings(min: number, max: number): fc.Arbitrary<unknown> {
  const sized = (n: number) => fc.string({ minLength: n, maxLength: n });
  const lengths = [0, min, max, max + 1].filter((n) => n >= 0);
  if (min > 0) lengths.push(min - 1);
  return fc.oneof(
    ...lengths.map(sized),
    fc.string({ maxLength: max + 2, unit: "binary" }),
    fc.string({ minLength: max - 1, maxLength: max + 1, unit: "binary" }),
    fc.constantFrom(
      "😀".repeat(Math.floor(max / 2)),
      "😀".repeat(Math.floor(max / 2)) + "x",
      "😀".repeat(max),
      "😀".repeat(max) + "x",
      "\uD83D".repeat(max + 1),
      "\uDE00" + "😀".repeat(max - 1),
      "😀".repeat(min),
      "😀".repeat(Math.max(0, min - 1)),
    ),
    fc
      .array(fc.constantFrom("\uD83D", "\uDE00", "a", "😀"), {
        minLength: Math.max(0, min - 1),
        maxLength: max + 2,
      })
      .map((parts) => parts.join("")),
  );
}

/** Mostly a value from `good`, now and then an edge case, a stranger, null or nothing. */
function field(good: fc.Arbitrary<unknown>, edges: fc.Arbitrary<unknown>, nullable: boolean) {
  return fc.oneof(
    { weight: 12, arbitrary: good },
    { weight: 2, arbitrary: edges },
    { weight: 1, arbitrary: strangers },
    { weight: nullable ? 2 : 1, arbitrary: fc.constant(null) },
  );
}

const fields = {
  kind: field(
    fc.constantFrom(...OBSERVATION_KINDS),
    fc.constantFrom("WIFI", "Wifi", "wif", "wifi ", "", "toString", "__proto__", "constructor"),
    false,
  ),
  mac: field(fc.constant(valid.mac), strings(1, 64), false),
  ssid: field(fc.string({ maxLength: 32 }), strings(0, 512), true),
  authMode: field(fc.constantFrom("wpa2", "open", "wep"), strings(0, 32), true),
  capabilities: field(fc.string({ maxLength: 60 }), strings(0, 1024), true),
  seenAt: field(fc.integer({ min: 0, max: 2_000_000_000_000 }), numbers(-1e15, 1e15), false),
  channel: field(fc.integer({ min: 1, max: 200 }), numbers(-300, 300), true),
  frequencyMhz: field(fc.integer({ min: 2400, max: 6000 }), numbers(0, 7000), true),
  rssiDbm: field(fc.integer({ min: -150, max: 30 }), numbers(-150, 30), true),
  rssiEstimated: field(
    fc.boolean(),
    fc.constantFrom<unknown>(0, 1, "true", "false", new Boolean(true)),
    false,
  ),
  lat: field(fc.double({ min: -90, max: 90, noNaN: true }), numbers(-90, 90), true),
  lon: field(fc.double({ min: -180, max: 180, noNaN: true }), numbers(-180, 180), true),
  altitudeM: field(fc.double({ min: -500, max: 9000, noNaN: true }), numbers(-1e6, 1e6), true),
  accuracyM: field(fc.double({ min: 0, max: 1000, noNaN: true }), numbers(0, 1000), true),
  rcois: field(fc.constantFrom("506f9a", "001bc504bd"), strings(0, 256), true),
  mfgrId: field(fc.integer({ min: 0, max: 0xffff }), numbers(0, 0xffff), true),
  source: field(fc.constantFrom("wigle", "iw", "kismet"), strings(1, 32), false),
};
const keys = Object.keys(fields) as (keyof typeof fields)[];

/** Records built field by field, with some keys dropped, extra keys mixed in, or a prototype to inherit. */
const records: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.record(fields),
    fc.subarray(keys, { maxLength: 2 }),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }) },
      { weight: 1, arbitrary: fc.constant({ extra: 1, id: "x", __proto__: null }) },
    ),
    fc.constantFrom("plain", "plain", "plain", "plain", "extra-after", "null-proto", "inherited", "array"),
  )
  .map(([record, dropped, extra, shape]) => {
    const own: Record<string, unknown> = { ...record };
    for (const key of dropped) {
      if (shape === "plain") own[key] = undefined;
      else delete own[key];
    }
    switch (shape) {
      case "extra-after":
        return { ...own, ...extra };
      case "null-proto":
        return Object.assign(Object.create(null), extra, own);
      case "inherited":
        return Object.create(own);
      case "array":
        return Object.assign([], own);
      default:
        return { ...extra, ...own };
    }
  });

/** The fields zod refuses, as the checker names them ("observation" when the value is not an object). */
function zodRefusedFields(value: unknown): string[] | null {
  const result = observationRecordSchema.safeParse(value);
  if (result.success) return null;
  return result.error.issues.map((issue) => {
    const first = issue.path[0];
    return first === undefined ? "observation" : String(first);
  });
}

/** Same verdict as zod, and a refusal names a field zod refuses too. */
function agreesWithZod(value: unknown): void {
  const reason = checkObservation(value);
  const refused = zodRefusedFields(value);
  expect(reason === null).toBe(refused === null);
  if (reason !== null) expect(refused).toContain(reason.slice(0, reason.indexOf(":")));
}

describe("checkObservation", () => {
  it("accepts a realistic observation and the empty one", () => {
    expect(checkObservation(valid)).toBeNull();
    expect(checkObservation(emptyObservation({ kind: "ble", mac: "m", seenAt: 0, source: "s" }))).toBeNull();
  });

  it("names the first offending field with a short reason", () => {
    expect(checkObservation({ ...valid, rssiDbm: 200 })).toBe("rssiDbm: out of range");
    expect(checkObservation({ ...valid, channel: 1.5 })).toBe("channel: not an integer");
    expect(checkObservation({ ...valid, lat: Number.NaN })).toBe("lat: not a number");
    expect(checkObservation({ ...valid, mac: "" })).toBe("mac: too short");
    expect(checkObservation({ ...valid, source: "x".repeat(33) })).toBe("source: too long");
    // This repo's zod counts code points, so 32 emoji (64 UTF-16 units) still fit a 32 limit.
    expect(checkObservation({ ...valid, source: "😀".repeat(32) })).toBeNull();
    expect(checkObservation({ ...valid, source: "😀".repeat(33) })).toBe("source: too long");
    expect(checkObservation({ ...valid, kind: "WIFI", source: "" })).toBe("kind: not a known kind");
    expect(checkObservation({ ...valid, rssiEstimated: undefined })).toBe("rssiEstimated: not a boolean");
    expect(checkObservation([])).toBe("observation: not an object");
  });

  it("does not reject unknown keys, as zod strips rather than refuses them", () => {
    expect(checkObservation({ ...valid, extra: "x", id: 7 })).toBeNull();
    expect(observationRecordSchema.safeParse({ ...valid, extra: "x" }).success).toBe(true);
  });

  it("agrees with observationRecordSchema on the boundaries, one field at a time", () => {
    const cases: Array<[string, unknown]> = [];
    for (const n of [Number.NaN, Infinity, -Infinity, -0, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 53]) {
      for (const key of ["seenAt", "channel", "rssiDbm", "lat", "accuracyM", "altitudeM", "mfgrId"]) {
        cases.push([key, n]);
      }
    }
    for (const [key, min, max] of [
      ["rssiDbm", -150, 30],
      ["lat", -90, 90],
      ["lon", -180, 180],
      ["mfgrId", 0, 0xffff],
      ["accuracyM", 0, Infinity],
    ] as const) {
      for (const n of [min - 1, min, max, max + 1, min - 0.001, max + 0.001]) cases.push([key, n]);
    }
    for (const [key, max] of [
      ["mac", 64],
      ["ssid", 512],
      ["authMode", 32],
      ["capabilities", 1024],
      ["rcois", 256],
      ["source", 32],
    ] as const) {
      for (const s of [
        "",
        "a".repeat(max),
        "a".repeat(max + 1),
        "😀".repeat(max / 2),
        `😀${"a".repeat(max - 1)}`,
        `😀${"a".repeat(max)}`,
        "😀".repeat(max),
        "\uD83D".repeat(max),
        "\uD83D".repeat(max + 1),
      ]) {
        cases.push([key, s]);
      }
      cases.push([key, null], [key, undefined], [key, 5]);
    }
    for (const [key, value] of cases) agreesWithZod({ ...valid, [key]: value });
  });

  it(
    "agrees with observationRecordSchema on anything at all",
    () => {
      fc.assert(
        fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), agreesWithZod),
        {
          numRuns: 5000,
        },
      );
    },
    LONG_PROPERTY_MS,
  );

  it(
    "agrees with observationRecordSchema on records mixing valid, boundary and invalid fields",
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(records, (value) => {
          agreesWithZod(value);
          if (checkObservation(value) === null) accepted++;
        }),
        { numRuns: 20_000 },
      );
      // Both sides of the equivalence are exercised in earnest.
      expect(accepted).toBeGreaterThan(500);
      expect(accepted).toBeLessThan(19_500);
    },
    LONG_PROPERTY_MS,
  );
});

const validFix = {
  fixedAt: 1_700_000_000_000,
  lat: 51.5,
  lon: -0.12,
  altitudeM: 35.2,
  mode: 3,
  accuracyM: 4,
  hdop: 0.9,
  speedMps: 12.5,
  trackDeg: 270,
  source: "gpsd",
};

const fixFields = {
  fixedAt: field(fc.integer({ min: 0, max: 2_000_000_000_000 }), numbers(-1e15, 1e15), false),
  lat: field(fc.double({ min: -90, max: 90, noNaN: true }), numbers(-90, 90), false),
  lon: field(fc.double({ min: -180, max: 180, noNaN: true }), numbers(-180, 180), false),
  altitudeM: field(fc.double({ min: -500, max: 9000, noNaN: true }), numbers(-1e6, 1e6), true),
  mode: field(fc.constantFrom(2, 3), numbers(2, 3), false),
  accuracyM: field(fc.double({ min: 0, max: 1000, noNaN: true }), numbers(0, 1000), true),
  hdop: field(fc.double({ min: 0, max: 50, noNaN: true }), numbers(0, 100), true),
  speedMps: field(fc.double({ min: 0, max: 80, noNaN: true }), numbers(-1e6, 1e6), true),
  trackDeg: field(fc.double({ min: 0, max: 360, noNaN: true }), numbers(-1e6, 1e6), true),
  source: field(fc.constantFrom("gpsd", "nmea", "gpsxml"), strings(1, 32), false),
};

/** Same verdict as zod's gpsFixRecordSchema, and a refusal names a field zod refuses too. */
function fixAgreesWithZod(value: unknown): void {
  const reason = checkGpsFix(value);
  const result = gpsFixRecordSchema.safeParse(value);
  expect(reason === null).toBe(result.success);
  if (reason !== null && !result.success) {
    const refused = result.error.issues.map((i) => (i.path[0] === undefined ? "fix" : String(i.path[0])));
    expect(refused).toContain(reason.slice(0, reason.indexOf(":")));
  }
}

describe("checkGpsFix", () => {
  it("accepts a realistic fix and names the first offending field", () => {
    expect(checkGpsFix(validFix)).toBeNull();
    expect(checkGpsFix({ ...validFix, mode: 1 })).toBe("mode: out of range");
    expect(checkGpsFix({ ...validFix, lat: 91 })).toBe("lat: out of range");
    expect(checkGpsFix({ ...validFix, lat: null })).toBe("lat: not a number");
    expect(checkGpsFix({ ...validFix, hdop: -1 })).toBe("hdop: out of range");
    expect(checkGpsFix({ ...validFix, source: "" })).toBe("source: too short");
    expect(checkGpsFix("fix")).toBe("fix: not an object");
  });

  it("agrees with gpsFixRecordSchema on anything at all", () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), fixAgreesWithZod),
      {
        numRuns: 3000,
      },
    );
  });

  it(
    "agrees with gpsFixRecordSchema on fixes mixing valid, boundary and invalid fields",
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(fc.record(fixFields), (value) => {
          fixAgreesWithZod(value);
          if (checkGpsFix(value) === null) accepted++;
        }),
        { numRuns: 10_000 },
      );
      expect(accepted).toBeGreaterThan(300);
      expect(accepted).toBeLessThan(9_700);
    },
    LONG_PROPERTY_MS,
  );
});
