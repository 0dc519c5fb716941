import type { GpsFixRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventTally } from "../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../events/source-event.js";
import { linesOfText, streamLines } from "../sources/files/file-input.js";
import { fixturePath, readFixture } from "../test-support/fixtures.js";
import { nmeaChecksum } from "./nmea-sentence.js";
import { HDOP_TO_METRES, looksLikeNmea, parseNmea } from "./parse-nmea.js";

const ctx: ParseContext = { capturedAt: Date.UTC(2026, 0, 1), now: Date.UTC(2026, 0, 1) };
const FILES = {
  bu353s4: "nmea/gpsd-testlog_bu353s4.log",
  beidou: "nmea/gpsd-testlog_beidou-gb.log",
  quectel: "nmea/gpsd-testlog_quectel-L70.log",
  fuzzy: "nmea/gpsd-testlog_nmea-fuzzy-cases.log",
} as const;

async function parseFile(relative: string) {
  const events: SourceEvent[] = [];
  for await (const e of parseNmea(streamLines(fixturePath(relative)), ctx)) events.push(e);
  return { events, tally: await EventTally.of(events), fixes: fixesOf(events) };
}
const fixesOf = (events: SourceEvent[]): GpsFixRecord[] =>
  events.flatMap((e) => (e.type === "fix" ? [e.fix] : []));
const positionSentences = (text: string) => text.split(/\r?\n/).filter((l) => /^\$..(GGA|RMC),/.test(l));
const sentences = (text: string) => text.split(/\r?\n/).filter((l) => l.startsWith("$"));
/** Distinct epochs (time of day) among the GGA/RMC lines that report a fix. */
const fixedEpochs = (text: string) =>
  new Set(
    positionSentences(text)
      .filter(
        (l) => /^\$..GGA,[^,]*,[^,]+,[NS],[^,]+,[EW],[1-9]/.test(l) || /^\$..RMC,[^,]*,A,[^,]+,/.test(l),
      )
      .map((l) => l.split(",")[1]),
  );
const sentence = (data: string) =>
  `$${data}*${nmeaChecksum(data).toString(16).toUpperCase().padStart(2, "0")}`;

describe("parseNmea on the gpsd test logs", () => {
  it.each(Object.entries(FILES))(
    "%s: one record per sentence, one fix per fixed epoch",
    async (_name, file) => {
      const text = readFixture(file);
      const { tally } = await parseFile(file);
      expect(tally.records).toBe(sentences(text).length);
      // Sentences other than GGA/RMC (GSA, GSV, ZDA, proprietary) are read and skipped, not refused.
      expect(tally.skipped).toBe(sentences(text).length - positionSentences(text).length);
      expect(tally.fixes).toBe(fixedEpochs(text).size);
      // Only sentences without a fix are refused; GGA and RMC of one epoch merge rather than repeat.
      const withoutFix = positionSentences(text).filter((l) =>
        /^\$..(GGA,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,0,|RMC,[^,]*,V,)/.test(l),
      );
      expect(tally.rejected).toBe(withoutFix.length);
      expect(tally.pendingRecords).toBe(0);
      expect(tally.orphanOutcomes).toBe(0);
      // Checksums are all valid: nothing is refused as corrupt.
      expect(tally.reasons.bad_checksum ?? 0).toBe(0);
    },
  );

  it("matches the sentence counts PROVENANCE gives, comments excluded", () => {
    const counts = Object.values(FILES).map((f) => sentences(readFixture(f)).length);
    expect(counts).toEqual([90, 68, 115, 28]);
    for (const f of Object.values(FILES)) expect(readFixture(f).startsWith("#")).toBe(true);
  });

  it("bu353s4: merges GGA and RMC of each epoch (southern/eastern hemisphere)", async () => {
    const { fixes, tally } = await parseFile(FILES.bu353s4);
    expect([tally.records, tally.fixes]).toEqual([90, 25]);
    expect(fixes[0]).toEqual({
      fixedAt: Date.UTC(2014, 11, 31, 3, 7, 19),
      lat: -(37 + 47.0873 / 60),
      lon: 175 + 18.8938 / 60,
      altitudeM: 59.9,
      mode: 3,
      accuracyM: 1.1 * HDOP_TO_METRES,
      hdop: 1.1,
      speedMps: 0.69 * (1852 / 3600),
      trackDeg: 181.39,
      source: "nmea",
    });
  });

  it("beidou-gb: the no-fix start is refused as no_fix, then the GB-era fixes come", async () => {
    const text = readFixture(FILES.beidou);
    // GB (BeiDou, SiRF-TriG's spelling) only talks GSV here; like the proprietary $PSRFEPE it is no record.
    expect(text.match(/^\$GBGSV,/gm)).toHaveLength(12);
    expect(text.match(/^\$PSRFEPE,/gm)).toHaveLength(5);
    const { fixes, tally } = await parseFile(FILES.beidou);
    const emptyStart = positionSentences(text).filter((l) => /^\$..(GGA|RMC),[^,]*,(?:,|V,,)/.test(l)).length;
    expect(emptyStart).toBe(6);
    expect(tally.reasons).toEqual({ no_fix: emptyStart });
    expect(fixes.map((f) => f.fixedAt)).toEqual([
      Date.UTC(2015, 2, 2, 5, 32, 32, 438),
      Date.UTC(2015, 2, 2, 5, 32, 33, 438),
    ]);
    expect(fixes[0]).toMatchObject({
      lat: 31 + 14.8789 / 60,
      lon: 121 + 35.2442 / 60,
      altitudeM: 153.8,
      hdop: 1.2,
    });
  });

  it("quectel-L70: CRLF lines, proprietary $PMTK/$PQVERNO ignored, GSA mode used", async () => {
    const text = readFixture(FILES.quectel);
    expect(text).toContain("\r\n");
    expect(sentences(text).filter((l) => l.startsWith("$P"))).toHaveLength(8);
    const { fixes, tally } = await parseFile(FILES.quectel);
    expect(tally.rejected).toBe(0);
    expect(fixes[0]).toMatchObject({
      fixedAt: Date.UTC(2022, 2, 9, 15, 1, 19),
      lat: 51 + 4.0859 / 60,
      altitudeM: 1102.4,
    });
    expect(fixes[0]?.lon).toBeCloseTo(-(114 + 5.7387 / 60), 10);
    expect(fixes.every((f) => f.mode === 3)).toBe(true);
  });

  it("nmea-fuzzy-cases: 8-decimal minutes, GP and GN talkers, sub-second epochs", async () => {
    const { fixes } = await parseFile(FILES.fuzzy);
    expect(fixes[0]?.lat).toBe(41 + 34.49821229 / 60);
    expect(fixes[0]?.fixedAt).toBe(Date.UTC(2020, 2, 18, 13, 28, 20, 600));
    expect(fixes[1]?.fixedAt).toBe(Date.UTC(2020, 2, 18, 13, 28, 20, 700));
    expect(fixes.filter((f) => f.fixedAt >= Date.UTC(2020, 2, 18, 13, 28, 27))).toHaveLength(8);
  });
});

describe("parseNmea edge cases", () => {
  const run = async (...lines: string[]) => {
    const events: SourceEvent[] = [];
    for await (const e of parseNmea(linesOfText(lines.join("\r\n")), ctx)) events.push(e);
    return { events, tally: await EventTally.of(events), fixes: fixesOf(events) };
  };
  const gga = (time: string, talker = "GP") =>
    sentence(`${talker}GGA,${time},4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,`);
  const rmc = (time: string, date: string, talker = "GP") =>
    sentence(`${talker}RMC,${time},A,4807.038,N,01131.000,E,022.4,084.4,${date},003.1,W`);

  it("refuses bad and missing checksums and garbage, and keeps going", async () => {
    const good = rmc("123519", "230323");
    const { tally } = await run(
      good.replace("*", "0*"),
      good.slice(0, -3),
      "garbage",
      rmc("123520", "230323"),
    );
    expect(tally.reasons).toEqual({ bad_checksum: 1, no_checksum: 1, not_nmea: 1 });
    expect(tally.fixes).toBe(1);
  });

  it("refuses a GGA before any date as no_date, then dates GGAs from the last RMC", async () => {
    const { tally, fixes } = await run(gga("235958"), rmc("235959", "230323"), gga("000001"));
    expect(tally.reasons).toEqual({ no_date: 1 });
    // The last GGA is past midnight: the day after the RMC's date.
    expect(fixes.map((f) => f.fixedAt)).toEqual([
      Date.UTC(2023, 2, 23, 23, 59, 59),
      Date.UTC(2023, 2, 24, 0, 0, 1),
    ]);
  });

  it("reads the BeiDou GB/BD and Galileo GA talkers and merges one epoch across talkers", async () => {
    const { fixes, tally } = await run(
      rmc("120000", "010124", "GB"),
      gga("120000", "BD"),
      gga("120001", "GA"),
    );
    expect(tally.records).toBe(3);
    expect(fixes).toHaveLength(2);
    expect(fixes[0]).toMatchObject({ fixedAt: Date.UTC(2024, 0, 1, 12), altitudeM: 545.4, trackDeg: 84.4 });
  });

  it("yields one fix for a repeated epoch and refuses the repeat", async () => {
    const { tally } = await run(
      rmc("120000", "010124"),
      gga("120000"),
      gga("120000", "GN"),
      rmc("120000", "010124"),
    );
    expect(tally.fixes).toBe(1);
    expect(tally.reasons).toEqual({ duplicate_epoch: 2 });
    expect(tally.records).toBe(4);
  });

  it("skips proprietary sentences as records with nothing to store", async () => {
    const { tally } = await run(sentence("PMTK001,604,3"), rmc("120000", "010124"));
    expect([tally.records, tally.skipped, tally.fixes, tally.rejected]).toEqual([2, 1, 1, 0]);
  });

  it("takes the fix mode from GSA when present", async () => {
    const gsa2 = sentence("GPGSA,A,2,04,05,,,,,,,,,,,2.5,1.3,2.1");
    const { fixes, tally } = await run(rmc("120000", "010124"), gsa2, gga("120001"));
    expect([tally.records, tally.skipped]).toEqual([3, 1]);
    expect(fixes.map((f) => f.mode)).toEqual([2, 2]);
    const alone = await run(rmc("120000", "010124"));
    expect(alone.fixes[0]).toMatchObject({ mode: 2, hdop: null, accuracyM: null });
  });
});

describe("looksLikeNmea", () => {
  it("claims the NMEA logs and not gpsd's JSON regression output", () => {
    for (const f of Object.values(FILES)) expect(looksLikeNmea(readFixture(f).slice(0, 4096))).toBe(true);
    expect(looksLikeNmea(readFixture("gpsd-json/gpsd-regress_bu353s4.log.chk").slice(0, 4096))).toBe(false);
  });
});

describe("parseNmea fuzzing", () => {
  const expectContract = (tally: EventTally) => {
    expect(tally.pendingRecords).toBe(0);
    expect(tally.orphanOutcomes).toBe(0);
    expect(tally.maxPending).toBeLessThanOrEqual(2);
    // A fix accounts for one or two records (GGA+RMC); a reject for exactly one.
    expect(tally.maxRecordsPerReject).toBeLessThanOrEqual(1);
    expect(tally.records).toBeGreaterThanOrEqual(tally.fixes + tally.rejected);
    expect(tally.records).toBeLessThanOrEqual(2 * tally.fixes + tally.rejected + tally.skipped);
  };

  it("never throws on arbitrary lines, checksummed or not", async () => {
    const line = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.string().map((s) => sentence(s)),
      fc
        .array(
          fc.constantFrom(
            "GPGGA",
            "GNRMC",
            "GPGSA",
            "123519",
            "4807.038",
            "N",
            "E",
            "A",
            "V",
            "1",
            "",
            "230394",
          ),
          {
            maxLength: 14,
          },
        )
        .map((f) => sentence(f.join(","))),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line), async (lines) => {
        expectContract(await EventTally.of(parseNmea(linesOfText(lines.join("\n")), ctx)));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on mutated fixture text", async () => {
    const text = readFixture(FILES.beidou);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: text.length }), fc.nat({ max: 20 }), fc.string()), { maxLength: 10 }),
        async (edits) => {
          let mutated = text;
          for (const [at, len, insert] of edits)
            mutated = mutated.slice(0, at) + insert + mutated.slice(at + len);
          expectContract(await EventTally.of(parseNmea(linesOfText(mutated), ctx)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
