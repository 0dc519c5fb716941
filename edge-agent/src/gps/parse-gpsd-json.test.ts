import type { GpsFixRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventTally } from "../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../events/source-event.js";
import { linesOfText, streamLines } from "../sources/files/file-input.js";
import { fixturePath, readFixture } from "../test-support/fixtures.js";
import { looksLikeGpsdJson, parseGpsdJson } from "./parse-gpsd-json.js";

const QUECTEL = "gpsd-json/gpspipe-w_quectel-eg25_asyncio-gpsd-client.jsonl";
const REGRESS = "gpsd-json/gpsd-regress_bu353s4.log.chk";
const ctx: ParseContext = { capturedAt: Date.UTC(2026, 0, 1), now: Date.UTC(2026, 0, 1) };

async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const fixes = (events: SourceEvent[]): GpsFixRecord[] =>
  events.flatMap((e) => (e.type === "fix" ? [e.fix] : []));
const tpvLines = (text: string) => text.split("\n").filter((l) => l.startsWith('{"class":"TPV"'));

describe("parseGpsdJson on the gpspipe -w fixture (Quectel EG25)", async () => {
  const text = readFixture(QUECTEL);
  const events = await collect(parseGpsdJson(streamLines(fixturePath(QUECTEL)), ctx));
  const tally = await EventTally.of(events);

  it("counts only TPVs as records: VERSION, DEVICES, WATCH and SKY are not", () => {
    expect(text.trim().split("\n")).toHaveLength(9);
    expect(tally.records).toBe(tpvLines(text).length);
    expect(tally.records).toBe(3);
    expect(tally.pendingRecords).toBe(0);
  });

  it("yields the repeated 12:10:33 epoch once and refuses the repeat", () => {
    const times = tpvLines(text).map((l) => /"time":"([^"]+)"/.exec(l)?.[1]);
    expect(new Set(times).size).toBe(2);
    expect(tally.fixes).toBe(2);
    expect(tally.reasons).toEqual({ duplicate_epoch: 1 });
    expect(fixes(events).map((f) => f.fixedAt)).toEqual([
      Date.parse("2025-12-17T12:10:32.000Z"),
      Date.parse("2025-12-17T12:10:33.000Z"),
    ]);
  });

  it("reads lat/lon, eph as accuracy, altMSL as altitude, speed and track", () => {
    expect(fixes(events)[0]).toEqual({
      fixedAt: Date.parse("2025-12-17T12:10:32.000Z"),
      lat: 50.074039133,
      lon: 14.466591817,
      altitudeM: 257.3,
      mode: 3,
      accuracyM: 9.5,
      hdop: null,
      speedMps: 0,
      trackDeg: 320.5,
      source: "gpsd",
    });
  });
});

describe("parseGpsdJson on gpsd's regression output (BU-353-S4)", async () => {
  const text = readFixture(REGRESS);
  const events = await collect(parseGpsdJson(streamLines(fixturePath(REGRESS)), ctx));
  const tally = await EventTally.of(events);
  const tpvs = tpvLines(text);

  it("skips the echoed NMEA lines and the SKYs: 27 TPV records", () => {
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines.filter((l) => l.startsWith("{"))).toHaveLength(106);
    expect(lines.filter((l) => l.startsWith("$"))).toHaveLength(90);
    expect(tpvs).toHaveLength(27);
    expect(lines.filter((l) => l.startsWith('{"class":"SKY"'))).toHaveLength(79);
    expect(tally.records).toBe(tpvs.length);
  });

  it("refuses the early TPVs without a time as no_time and yields the rest", () => {
    const untimed = tpvs.filter((l) => !l.includes('"time"')).length;
    expect(untimed).toBe(2);
    expect(tally.reasons).toEqual({ no_time: untimed });
    expect(tally.fixes).toBe(tpvs.length - untimed);
  });

  it("reads a TPV without a device, on a CRLF line, in the southern hemisphere", () => {
    expect(text).toContain("\r\n");
    const first = fixes(events)[0];
    expect(first).toMatchObject({ fixedAt: Date.parse("2014-12-31T03:07:19.000Z"), lat: -37.784788333 });
    expect(first?.lon).toBe(175.314896667);
    expect(first?.accuracyM).toBe(20.9);
  });
});

describe("parseGpsdJson edge cases", () => {
  const parse = async (...lines: string[]) =>
    EventTally.of(parseGpsdJson(linesOfText(lines.join("\n")), ctx));

  it("refuses mode 1, missing positions, broken JSON and 1970 times with reasons", async () => {
    const tally = await parse(
      '{"class":"TPV","mode":1,"time":"2024-01-01T00:00:00Z"}',
      '{"class":"TPV","mode":3,"time":"2024-01-01T00:00:01Z"}',
      '{"class":"TPV","mode":2,"time":"2024-01-01T00:00:02Z","lat":0,"lon":0}',
      '{"class":"TPV","mode":3,"time":"1970-01-01T00:00:03Z","lat":1,"lon":2}',
      '{"class":"TPV","mode":3,"ti',
      '{"class":"TPV","mode":2,"time":"2024-01-01T00:00:04Z","lat":1,"lon":2,"epx":3,"epy":4}',
    );
    expect(tally.reasons).toEqual({ no_fix: 1, no_position: 2, time_too_old: 1, bad_json: 1 });
    expect(tally.fixes).toBe(1);
  });

  it("uses hypot(epx, epy) when there is no eph", async () => {
    const events = await collect(
      parseGpsdJson(
        linesOfText('{"class":"TPV","mode":2,"time":"2024-01-01T00:00:04Z","lat":1,"lon":2,"epx":3,"epy":4}'),
        ctx,
      ),
    );
    expect(fixes(events)[0]).toMatchObject({ accuracyM: 5, mode: 2, altitudeM: null });
  });
});

describe("looksLikeGpsdJson", () => {
  it("claims both gpsd fixtures, the regression file despite its leading NMEA line", () => {
    expect(looksLikeGpsdJson(readFixture(QUECTEL).slice(0, 4096))).toBe(true);
    expect(looksLikeGpsdJson(readFixture(REGRESS).slice(0, 4096))).toBe(true);
    expect(
      looksLikeGpsdJson("$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D\n"),
    ).toBe(false);
  });
});

describe("parseGpsdJson fuzzing", () => {
  const expectContract = (tally: EventTally) => {
    expect(tally.pendingRecords).toBe(0);
    expect(tally.maxPending).toBeLessThanOrEqual(1);
    expect(tally.orphanOutcomes).toBe(0);
    expect(tally.fixes + tally.rejected).toBe(tally.records);
  };

  it("refuses a TPV whose fields are hostile objects without throwing (fuzzing found this)", async () => {
    const hostile = '{"class":"TPV","mode":[{"toString":0}],"time":[],"lat":{},"lon":{}}';
    const tally = await EventTally.of(parseGpsdJson(linesOfText(hostile), ctx));
    expect([tally.records, tally.rejected, tally.fixes]).toEqual([1, 1, 0]);
    expect(tally.reasons).toEqual({ no_fix: 1 });
  });

  it("never throws on arbitrary lines or JSON values", async () => {
    const line = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.json().map((j) => `{"class":"TPV",${j.slice(1)}`),
      fc
        .record({
          class: fc.constant("TPV"),
          mode: fc.anything(),
          time: fc.anything(),
          lat: fc.anything(),
          lon: fc.anything(),
        })
        .map((o) => {
          try {
            return JSON.stringify(o) ?? "";
          } catch {
            return "{";
          }
        }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line), async (lines) => {
        expectContract(await EventTally.of(parseGpsdJson(linesOfText(lines.join("\n")), ctx)));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on mutated fixture text", async () => {
    const text = readFixture(REGRESS);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 30 }), fc.string()), { maxLength: 10 }),
        async (edits) => {
          let mutated = text;
          for (const [at, len, insert] of edits)
            mutated = mutated.slice(0, at) + insert + mutated.slice(at + len);
          expectContract(await EventTally.of(parseGpsdJson(linesOfText(mutated), ctx)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
