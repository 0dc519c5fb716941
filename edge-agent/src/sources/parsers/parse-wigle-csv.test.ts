import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventTally } from "../../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { fixturePath, readFixture } from "../../test-support/fixtures.js";
import { linesOfText, streamLines } from "../files/file-input.js";
import { looksLikeWigleCsv, parseWigleCsv } from "./parse-wigle-csv.js";

const BRUCE = "wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv";
const MI6 = "wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv";
// The Bruce device clock says 2026-08-08; its rows are only plausible to a clock past that date.
const AFTER_BRUCE: ParseContext = { capturedAt: Date.UTC(2026, 7, 8, 7), now: Date.UTC(2026, 7, 9) };
const AFTER_MI6: ParseContext = { capturedAt: Date.UTC(2017, 9, 29, 19), now: Date.UTC(2017, 9, 30) };
const HEADER_16 =
  "MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,RCOIs,MfgrId,Type";

async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const observations = (events: SourceEvent[]): ObservationRecord[] =>
  events.flatMap((e) => (e.type === "observation" ? [e.observation] : []));

/** Data rows as the raw text holds them: lines after the pre-header and header, by their last field. */
function rawRows(text: string): string[] {
  return text
    .split("\n")
    .slice(2)
    .filter((l) => l.trim() !== "");
}

describe("parseWigleCsv on the Bruce 1.6 fixture", async () => {
  const text = readFixture(BRUCE);
  const events = await collect(parseWigleCsv(streamLines(fixturePath(BRUCE)), AFTER_BRUCE));
  const obs = observations(events);
  const tally = await EventTally.of(events);
  const rows = rawRows(text);

  it("reads every row as one record and one observation", () => {
    expect(rows).toHaveLength(124);
    expect(tally.records).toBe(rows.length);
    expect(tally.observations).toBe(rows.length);
    expect(tally.rejected).toBe(0);
    expect(tally.maxPending).toBe(1);
    expect(tally.pendingRecords).toBe(0);
  });

  it("splits kinds the way the Type column does", () => {
    const wifiRows = rows.filter((r) => r.endsWith(",WIFI")).length;
    const bleRows = rows.filter((r) => r.endsWith(",BLE")).length;
    expect([wifiRows, bleRows]).toEqual([55, 69]);
    expect(obs.filter((o) => o.kind === "wifi")).toHaveLength(wifiRows);
    expect(obs.filter((o) => o.kind === "ble")).toHaveLength(bleRows);
  });

  it("yields the pre-header as metadata", () => {
    expect(tally.metadata).toHaveLength(1);
    expect(tally.metadata[0]).toMatchObject({
      format: "WigleWifi",
      version: "1.6",
      appRelease: "v1.16",
      model: "M5Stack GPS Unit",
      brand: "Bruce",
      subBody: "1",
    });
  });

  it("keeps the comma inside a quoted SSID", () => {
    const tv = obs.find((o) => o.mac === "fa:8f:ca:5a:ed:6f");
    expect(tv).toMatchObject({
      ssid: "Living Room TV.m,",
      authMode: "OPEN",
      capabilities: "[OPEN]",
      channel: 6,
    });
    expect(tv?.frequencyMhz).toBe(2437);
  });

  it("lower-cases the upper-case Wi-Fi MACs and maps the underscore auth tokens", () => {
    expect(obs.every((o) => o.mac === o.mac.toLowerCase())).toBe(true);
    const byMac = (mac: string) => obs.find((o) => o.mac === mac);
    expect(byMac("34:98:b5:fb:73:47")).toMatchObject({
      ssid: "WiFi-B818-5G",
      authMode: "WPA2",
      rssiDbm: -76,
    });
    expect(byMac("dc:f5:1b:13:1f:ab")?.authMode).toBe("WPA2/WPA3");
    expect(byMac("f8:5e:3c:99:d9:6e")?.authMode).toBe("WPA/WPA2");
  });

  it("reads BLE rows: hex MfgrId, channel 0 as none, empty names as null", () => {
    const first = obs.find((o) => o.mac === "6a:1f:95:f0:b7:53");
    expect(first).toMatchObject({
      kind: "ble",
      mfgrId: 0x004c,
      channel: null,
      frequencyMhz: null,
      ssid: null,
    });
    expect(first?.mfgrId).toBe(76);
    expect(first?.authMode).toBeNull();
    expect(first?.capabilities).toBe("Misc [BLE]");
    const hexIds = rows.filter((r) => r.endsWith(",07D0,BLE")).length;
    expect(hexIds).toBeGreaterThan(0);
    expect(obs.filter((o) => o.mfgrId === 0x07d0)).toHaveLength(hexIds);
    const unnamedBle = rows.filter((r) => r.endsWith(",BLE") && r.split(",")[1] === '""').length;
    expect(unnamedBle).toBe(59);
    expect(obs.filter((o) => o.kind === "ble" && o.ssid === null)).toHaveLength(unnamedBle);
    const noMfgr = rows.filter((r) => r.endsWith(",,BLE")).length;
    expect(noMfgr).toBeGreaterThan(0);
    expect(obs.filter((o) => o.kind === "ble" && o.mfgrId === null)).toHaveLength(noMfgr);
  });

  it("takes FirstSeen as UTC and keeps the shared fix of a batched scan", () => {
    const first = obs[0];
    expect(first?.seenAt).toBe(Date.UTC(2026, 7, 8, 6, 49, 57));
    expect(first).toMatchObject({ lat: -33.398364, lon: 151.349402, altitudeM: 30.68, accuracyM: 1.7 });
    const sameStamp = rows.filter((r) => r.includes(",2026-08-08 06:49:57,")).length;
    expect(obs.filter((o) => o.seenAt === first?.seenAt)).toHaveLength(sameStamp);
  });

  it("refuses every row against a clock from before the device's date, with a reason", async () => {
    const early = { capturedAt: Date.UTC(2025, 10, 25), now: Date.UTC(2025, 10, 25) };
    const t = await EventTally.of(parseWigleCsv(streamLines(fixturePath(BRUCE)), early));
    expect(t.records).toBe(rows.length);
    expect(t.reasons).toEqual({ time_in_future: rows.length });
  });
});

describe("parseWigleCsv on the WiGLE Android 1.4 fixture", async () => {
  const text = readFixture(MI6);
  const events = await collect(parseWigleCsv(streamLines(fixturePath(MI6)), AFTER_MI6));
  const obs = observations(events);
  const rows = rawRows(text);

  it("reads 17 rows: 16 Wi-Fi and the GSM cell", () => {
    expect(rows).toHaveLength(17);
    expect(obs).toHaveLength(rows.length);
    expect(obs.filter((o) => o.kind === "wifi")).toHaveLength(rows.filter((r) => r.endsWith(",WIFI")).length);
    expect(obs.filter((o) => o.kind === "gsm")).toHaveLength(1);
  });

  it("keeps the cell key, operator name and raw AuthMode of the GSM row", () => {
    const gsm = obs.find((o) => o.kind === "gsm");
    expect(gsm).toMatchObject({
      mac: "42501_7211_3084803",
      ssid: "Partner",
      authMode: null,
      capabilities: "UNKNOWN;il",
      channel: null,
      rssiDbm: -113,
    });
  });

  it("maps the hidden (empty) SSID to null and reads unquoted SSIDs", () => {
    expect(obs.find((o) => o.mac === "30:b5:c2:b8:40:36")?.ssid).toBeNull();
    expect(obs.find((o) => o.mac === "52:ee:0c:3b:4a:ec")).toMatchObject({
      ssid: "Bezeq Free",
      authMode: "OPEN",
    });
    expect(obs.find((o) => o.mac === "14:ae:db:45:44:95")?.authMode).toBe("WPA/WPA2");
  });

  it("has no Frequency column in 1.4: frequency stays null, metadata says 1.4", async () => {
    expect(obs.every((o) => o.frequencyMhz === null && o.mfgrId === null)).toBe(true);
    expect((await EventTally.of(events)).metadata[0]).toMatchObject({
      version: "1.4",
      model: "MI 6",
      brand: "Xiaomi",
    });
  });
});

describe("parseWigleCsv on hand-made edge cases", () => {
  const ctx: ParseContext = { capturedAt: Date.UTC(2024, 0, 2), now: Date.UTC(2024, 0, 2) };
  const row = (mac: string, ssid: string, time = "2024-01-01 10:00:00", type = "WIFI") =>
    `${mac},${ssid},[WPA2_PSK],${time},6,2437,-60,51.5,-0.1,10,5,,,${type}`;
  const file = (...rows: string[]) => ["WigleWifi-1.6,appRelease=test", HEADER_16, ...rows].join("\n");
  const parse = (text: string) => collect(parseWigleCsv(linesOfText(text), ctx));

  it("preserves hostile SSIDs exactly as data", async () => {
    const hostile = [
      "<script>alert(1)</script>",
      'say "hi"',
      "a,b,c",
      "=cmd|' /C calc'!A0",
      "nul\u0000byte",
      "two\nlines",
    ];
    const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const text = file(...hostile.map((s, i) => row(`00:11:22:33:44:0${i}`, quoted(s))));
    const obs = observations(await parse(text));
    expect(obs.map((o) => o.ssid)).toEqual(hostile);
  });

  it("rejects 1970 and far-future times with a reason and reads the rest", async () => {
    const text = file(
      row("00:11:22:33:44:01", "ok"),
      row("00:11:22:33:44:02", "clockless", "1970-01-01 00:00:12"),
      row("00:11:22:33:44:03", "future", "2099-01-01 00:00:00"),
      row("00:11:22:33:44:04", "bad", "2024-02-30 00:00:00"),
      row("00:11:22:33:44:05", "ok2"),
    );
    const events = await parse(text);
    const tally = await EventTally.of(events);
    expect(tally.records).toBe(5);
    expect(tally.reasons).toEqual({ time_too_old: 1, time_in_future: 1, time_invalid: 1 });
    expect(observations(events).map((o) => o.ssid)).toEqual(["ok", "ok2"]);
    expect(events).toContainEqual({
      type: "reject",
      reason: "time_too_old",
      line: 4,
      detail: "1970-01-01 00:00:12",
    });
  });

  it("treats 0,0 and out-of-range positions as no position, not a reject", async () => {
    const zero = row("00:11:22:33:44:01", "a").replace("51.5,-0.1", "0,0");
    const far = row("00:11:22:33:44:02", "b").replace("51.5,-0.1", "91.2,200");
    const obs = observations(await parse(file(zero, far)));
    expect(obs).toHaveLength(2);
    expect(obs.map((o) => [o.lat, o.lon, o.altitudeM, o.accuracyM])).toEqual([
      [null, null, null, null],
      [null, null, null, null],
    ]);
  });

  it("refuses redacted and malformed MACs, unknown types and short rows with reasons", async () => {
    const text = file(
      row("xx:xx:xx:xx:xx:xx", "r"),
      row("00:11:22", "m"),
      row("00:11:22:33:44:55", "t", undefined, "ZIGBEE"),
      "00:11:22:33:44:66,short",
      row("  310260_10943_2394121 ", "T-Mobile", undefined, "LTE"),
    );
    const events = await parse(text);
    expect((await EventTally.of(events)).reasons).toEqual({
      mac_redacted: 1,
      mac_malformed: 1,
      unknown_type: 1,
      column_count: 1,
    });
    expect(observations(events)[0]).toMatchObject({
      kind: "lte",
      mac: "310260_10943_2394121",
      authMode: null,
    });
  });

  it("derives the channel from Frequency when Channel is missing, and glues unquoted commas back", async () => {
    const noChannel = row("00:11:22:33:44:01", "x").replace(",6,2437,", ",,5180,");
    const unquoted = row("00:11:22:33:44:02", "Cafe, Bar, Grill");
    const obs = observations(await parse(file(noChannel, unquoted)));
    expect(obs[0]).toMatchObject({ channel: 36, frequencyMhz: 5180 });
    expect(obs[1]).toMatchObject({ ssid: "Cafe, Bar, Grill", channel: 6 });
  });

  it("refuses an unterminated quote without swallowing the rows after it", async () => {
    const text = file(
      row("00:11:22:33:44:01", '"never closed'),
      ...Array.from({ length: 50 }, (_, i) => row(`00:11:22:33:55:${String(i).padStart(2, "0")}`, "fine")),
    );
    const tally = await EventTally.of(await parse(text));
    expect(tally.reasons).toEqual({ unterminated_quote: 1 });
    expect(tally.observations).toBe(50);
  });

  it("reports rows before any header and survives CRLF and a BOM", async () => {
    const crlf = `\uFEFF${file(row("00:11:22:33:44:01", "a"))}\r\n`.replaceAll("\n", "\r\n");
    expect(observations(await parse(crlf))[0]?.ssid).toBe("a");
    const tally = await EventTally.of(await parse(row("00:11:22:33:44:01", "a")));
    expect(tally.reasons).toEqual({ no_header: 1 });
  });
});

describe("parseWigleCsv input errors", () => {
  it("lets a missing file's I/O error through: it is not input to refuse", async () => {
    const run = async () => {
      for await (const _ of parseWigleCsv(streamLines("/nonexistent/wigle.csv"), AFTER_MI6)) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(/ENOENT/);
  });
});

describe("looksLikeWigleCsv", () => {
  it("claims both WiGLE fixtures from their first bytes", () => {
    expect(looksLikeWigleCsv(readFixture(BRUCE).slice(0, 4096))).toBe(true);
    expect(looksLikeWigleCsv(readFixture(MI6).slice(0, 4096))).toBe(true);
    expect(looksLikeWigleCsv(`${HEADER_16}\n`)).toBe(true);
    expect(looksLikeWigleCsv('{"class":"TPV"}')).toBe(false);
  });
});

describe("parseWigleCsv fuzzing", () => {
  const ctx: ParseContext = { capturedAt: Date.UTC(2026, 7, 8), now: Date.UTC(2026, 7, 9) };
  const expectContract = (tally: EventTally) => {
    expect(tally.pendingRecords).toBe(0);
    expect(tally.maxPending).toBeLessThanOrEqual(1);
    expect(tally.orphanOutcomes).toBe(0);
  };

  it("never throws on arbitrary lines and answers every record", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: "binary" })), async (lines) => {
        const withHeader = [HEADER_16, ...lines];
        expectContract(await EventTally.of(parseWigleCsv(linesOfText(withHeader.join("\n")), ctx)));
        expectContract(await EventTally.of(parseWigleCsv(linesOfText(lines.join("\n")), ctx)));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on mutated fixture text", async () => {
    const text = readFixture(BRUCE);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.nat({ max: text.length }),
            fc.nat({ max: 40 }),
            fc.constantFrom('"', ",", "\n", "", "\u0000", "ä"),
          ),
          {
            maxLength: 12,
          },
        ),
        async (edits) => {
          let mutated = text;
          for (const [at, len, insert] of edits)
            mutated = mutated.slice(0, at) + insert + mutated.slice(at + len);
          const tally = await EventTally.of(parseWigleCsv(linesOfText(mutated), ctx));
          expectContract(tally);
          expect(tally.observations + tally.rejected).toBe(tally.records);
        },
      ),
      { numRuns: 200 },
    );
  });
});
