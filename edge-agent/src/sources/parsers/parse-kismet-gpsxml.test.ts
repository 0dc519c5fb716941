import type { GpsFixRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventTally } from "../../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { readFixture } from "../../test-support/fixtures.js";
import { KISMET_TRACK_BSSID, looksLikeKismetGpsxml, parseKismetGpsxml } from "./parse-kismet-gpsxml.js";
import { looksLikeKismetNetxml } from "./parse-kismet-netxml.js";

/*
 * There is no real .gpsxml among the fixtures. This one is synthetic, written the way Kismet classic's
 * dumpfile_gpsxml.cc prints it (same element order and attribute formats, %f six-decimal floats), with
 * positions near Quebec City where the netxml fixture's networks were seen, on the netxml's date.
 */
const T0 = 1652374372; // Thu May 12 16:52:52 2022 UTC
const track = (dt: number, usec: number, lat: string, lon: string, fix = 3, extra = "") =>
  `    <gps-point bssid="${KISMET_TRACK_BSSID}" time-sec="${T0 + dt}" time-usec="${usec}" lat="${lat}" lon="${lon}" alt="61.400000" spd="8.230000" heading="271.500000" fix="${fix}"${extra}/>`;
const packet = (dt: number) =>
  `    <gps-point bssid="22:C0:06:72:93:BC" source="22:C0:06:72:93:BC" time-sec="${T0 + dt}" time-usec="52311" lat="46.812101" lon="-71.207902" alt="61.400000" spd="8.230000" heading="271.500000" fix="3" signal_dbm="-61" noise_dbm="0"/>`;
const GPSXML = [
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
  '<!DOCTYPE gps-run SYSTEM "http://kismetwireless.net/kismet-gps-2.9.1.dtd">',
  "",
  '<gps-run gps-version="5" start-time="Thu May 12 16:52:28 2022">',
  "",
  "    <network-file>/home/pi/Kismet-20220512-16-52-28-1.netxml</network-file>",
  "",
  track(0, 118734, "46.812012", "-71.207655"),
  packet(0),
  packet(0),
  track(1, 120045, "46.812055", "-71.207801"),
  packet(1),
  track(2, 121002, "0.000000", "0.000000", 1),
  track(3, 119870, "46.812140", "-71.208012", 2, ' hdop="1.400000" vdop="2.100000"'),
  track(3, 119870, "46.812140", "-71.208012"),
  "</gps-run>",
  "",
].join("\n");
const ctx: ParseContext = { capturedAt: T0 * 1000, now: (T0 + 3600) * 1000 };

async function* once(text: string) {
  yield text;
}
async function collect(events: AsyncIterable<SourceEvent>) {
  const out: SourceEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const fixes = (events: SourceEvent[]): GpsFixRecord[] =>
  events.flatMap((e) => (e.type === "fix" ? [e.fix] : []));

describe("parseKismetGpsxml", () => {
  it("reads the GP:SD:TR:AC:KL:OG track points as records and skips the per-packet points", async () => {
    const tally = await EventTally.of(parseKismetGpsxml(once(GPSXML), ctx));
    const trackPoints = GPSXML.split("\n").filter((l) => l.includes(`bssid="${KISMET_TRACK_BSSID}"`)).length;
    expect(trackPoints).toBe(5);
    expect(tally.records).toBe(trackPoints);
    expect(tally.fixes).toBe(3);
    expect(tally.reasons).toEqual({ no_fix: 1, duplicate_epoch: 1 });
    expect(tally.metadata).toEqual([
      { format: "gpsxml", gpsVersion: "5", startTime: "Thu May 12 16:52:28 2022" },
      { networkFile: "/home/pi/Kismet-20220512-16-52-28-1.netxml" },
    ]);
  });

  it("turns time-sec/time-usec, position, speed and heading into a fix", async () => {
    const [first, , third] = fixes(await collect(parseKismetGpsxml(once(GPSXML), ctx)));
    expect(first).toEqual({
      fixedAt: T0 * 1000 + 118,
      lat: 46.812012,
      lon: -71.207655,
      altitudeM: 61.4,
      mode: 3,
      accuracyM: null,
      hdop: null,
      speedMps: 8.23,
      trackDeg: 271.5,
      source: "gpsxml",
    });
    expect(third).toMatchObject({ mode: 2, hdop: 1.4, accuracyM: 1.4 * 5 });
  });

  it("is claimed by its own sniffer only", () => {
    expect(looksLikeKismetGpsxml(GPSXML)).toBe(true);
    expect(looksLikeKismetNetxml(GPSXML)).toBe(false);
    expect(
      looksLikeKismetGpsxml(readFixture("kismet/kismet-2016.07.R1_20220512-16-52-28_no-gps.netxml")),
    ).toBe(false);
  });

  it("never throws on arbitrary or mutated input", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary" }),
        fc.array(fc.tuple(fc.nat({ max: GPSXML.length }), fc.nat({ max: 30 }), fc.string()), {
          maxLength: 6,
        }),
        async (noise, edits) => {
          let mutated = GPSXML;
          for (const [at, len, insert] of edits)
            mutated = mutated.slice(0, at) + insert + mutated.slice(at + len);
          for (const text of [noise, mutated]) {
            const tally = await EventTally.of(parseKismetGpsxml(once(text), ctx));
            expect(tally.pendingRecords).toBe(0);
            expect(tally.maxPending).toBeLessThanOrEqual(1);
            expect(tally.fixes + tally.rejected).toBe(tally.records);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
