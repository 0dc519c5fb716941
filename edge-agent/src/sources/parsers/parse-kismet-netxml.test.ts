import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventTally } from "../../events/event-tally.js";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { fixturePath, readFixture } from "../../test-support/fixtures.js";
import { streamChunks } from "../files/file-input.js";
import { parseKismetTime } from "../files/xml-events.js";
import { looksLikeKismetNetxml, parseKismetNetxml } from "./parse-kismet-netxml.js";

const NETXML = "kismet/kismet-2016.07.R1_20220512-16-52-28_no-gps.netxml";
const ctx: ParseContext = { capturedAt: Date.UTC(2022, 4, 12, 17), now: Date.UTC(2022, 4, 13) };

async function* once(text: string) {
  yield text;
}
/** The text as byte chunks of `size`, so elements and UTF-8 sequences straddle chunk boundaries. */
async function* byteChunks(text: string, size: number) {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const out: SourceEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
const observations = (events: SourceEvent[]): ObservationRecord[] =>
  events.flatMap((e) => (e.type === "observation" ? [e.observation] : []));

describe("parseKismetNetxml on the Kismet 2016 fixture (no GPS)", async () => {
  const text = readFixture(NETXML);
  const events = await collect(parseKismetNetxml(streamChunks(fixturePath(NETXML)), ctx));
  const tally = await EventTally.of(events);
  const obs = observations(events);
  const byMac = (mac: string) => obs.find((o) => o.mac === mac);

  it("reads one record per wireless-network and refuses the probe-only ones", () => {
    const networks = text.match(/<wireless-network /g)?.length;
    const probes = text.match(/<wireless-network [^>]*type="probe"/g)?.length;
    expect([networks, probes]).toEqual([17, 3]);
    expect(tally.records).toBe(networks);
    expect(tally.reasons).toEqual({ probe_only: probes });
    expect(tally.observations).toBe(17 - 3);
    expect(tally.pendingRecords).toBe(0);
  });

  it("skips the 53 wireless-client children and says so in metadata", () => {
    const clients = text.match(/<wireless-client /g)?.length;
    expect(clients).toBe(53);
    expect(tally.metadata).toEqual([
      { format: "netxml", kismetVersion: "2016.07.R1", startTime: "Thu May 12 16:52:28 2022" },
      { format: "netxml", clientsSkipped: String(clients) },
    ]);
  });

  it("reads BSSID, SSID, WPA2 from wpa-version, channel, max signal and last-time", () => {
    expect(byMac("22:c0:06:72:93:bc")).toEqual({
      kind: "wifi",
      mac: "22:c0:06:72:93:bc",
      ssid: "SM-N975W4600",
      authMode: "WPA2",
      capabilities: "WPA+PSK WPA+AES-CCM WPA2",
      seenAt: Date.UTC(2022, 4, 12, 16, 56, 52),
      // channel 1 is 2412 MHz, although more packets were heard leaking on 2417.
      channel: 1,
      frequencyMhz: 2412,
      rssiDbm: -28,
      rssiEstimated: false,
      lat: null,
      lon: null,
      altitudeM: null,
      accuracyM: null,
      rcois: null,
      mfgrId: null,
      source: "kismet",
    });
    expect(byMac("a8:5e:45:dc:ee:88")?.authMode).toBe("WPA/WPA2");
    // The card hopped 2.4 and 5 GHz: 5 GHz networks keep their channel and frequency.
    expect(byMac("c4:41:1e:99:0c:1e")).toMatchObject({ channel: 48, frequencyMhz: 5240, rssiDbm: -86 });
  });

  it("maps the three cloaked SSIDs to null", () => {
    expect(text.match(/<essid cloaked="true">/g)).toHaveLength(3);
    expect(
      ["ca:41:1e:99:0c:1d", "ca:41:1e:99:0d:3a", "ca:41:1e:99:0e:9d"].map((m) => byMac(m)?.ssid),
    ).toEqual([null, null, null]);
    expect(obs.filter((o) => o.ssid === null)).toHaveLength(4);
  });

  it("derives the channel from the busiest freqmhz when <channel> is 0", () => {
    expect(byMac("c4:41:1e:99:0d:3a")).toMatchObject({
      channel: 1,
      frequencyMhz: 2412,
      ssid: "3564 oiselet",
    });
    expect(byMac("c4:41:1e:99:0d:3c")).toMatchObject({
      channel: 149,
      frequencyMhz: 5745,
      ssid: null,
      authMode: null,
    });
  });

  it("has no GPS anywhere: no observation has a position", () => {
    expect(text).not.toContain("<gps-info");
    expect(obs.every((o) => o.lat === null && o.lon === null)).toBe(true);
  });

  it("gives the same result when fed in 7-byte chunks", async () => {
    const chunked = await collect(parseKismetNetxml(byteChunks(text, 7), ctx));
    expect(chunked).toEqual(events);
  });
});

describe("parseKismetNetxml on hand-made networks", () => {
  const network = (body: string, type = "infrastructure") =>
    `<wireless-network number="1" type="${type}" first-time="Thu May 12 16:52:52 2022" last-time="Thu May 12 16:56:52 2022">${body}</wireless-network>`;
  const run = (...networks: string[]) =>
    collect(
      parseKismetNetxml(
        once(
          `<?xml version="1.0"?>\n<detection-run kismet-version="x">${networks.join("\n")}</detection-run>`,
        ),
        ctx,
      ),
    );

  it("keeps hostile SSIDs exactly, after XML unescaping", async () => {
    const ssid = (s: string) =>
      network(
        `<SSID><type>Beacon</type><encryption>None</encryption><essid cloaked="false">${s}</essid></SSID><BSSID>00:11:22:33:44:55</BSSID>`,
      );
    const events = await run(
      ssid("&lt;script&gt;alert(1)&lt;/script&gt;"),
      ssid("=cmd|' /C calc'!A0"),
      ssid("&quot;a,b&quot; "),
    );
    expect(observations(events).map((o) => [o.ssid, o.authMode])).toEqual([
      ["<script>alert(1)</script>", "OPEN"],
      ["=cmd|' /C calc'!A0", "OPEN"],
      ['"a,b" ', "OPEN"],
    ]);
  });

  it("uses the peak GPS point when the network has gps-info", async () => {
    const gps =
      "<gps-info><min-lat>46.80</min-lat><peak-lat>46.812345</peak-lat><peak-lon>-71.207654</peak-lon><peak-alt>62.1</peak-alt><avg-lat>46.81</avg-lat><avg-lon>-71.2</avg-lon></gps-info>";
    const events = await run(network(`<BSSID>00:11:22:33:44:55</BSSID>${gps}`));
    expect(observations(events)[0]).toMatchObject({ lat: 46.812345, lon: -71.207654, altitudeM: 62.1 });
  });

  it("refuses a truncated file's last network and a malformed one, keeping the others", async () => {
    const good = network("<BSSID>00:11:22:33:44:55</BSSID>");
    const broken = network("<BSSID>00:11:22:33:44:66</BSSID><channel>1</chan>");
    const text = `<detection-run>${good}${broken}${good}${network("<BSSID>00:11:22:33:44:77</BSSID>").slice(0, -40)}`;
    const tally = await EventTally.of(parseKismetNetxml(once(text), ctx));
    expect(tally.records).toBe(4);
    expect(tally.observations).toBe(2);
    expect(tally.reasons).toEqual({ malformed_xml: 1, truncated: 1 });
  });

  it("refuses bad BSSIDs and implausible times with reasons", async () => {
    const old = network("<BSSID>00:11:22:33:44:55</BSSID>").replace(
      'last-time="Thu May 12 16:56:52 2022"',
      'last-time="Thu Jan  1 00:00:05 1970"',
    );
    const tally = await EventTally.of(
      parseKismetNetxml(once(`<detection-run>${network("<BSSID>xx:xx</BSSID>")}${old}</detection-run>`), ctx),
    );
    expect(tally.reasons).toEqual({ mac_redacted: 1, time_too_old: 1 });
  });

  it("reads ctime dates, single-digit days included", () => {
    expect(parseKismetTime("Thu Jan  5 01:02:03 2023")).toBe(Date.UTC(2023, 0, 5, 1, 2, 3));
    expect(parseKismetTime("Thu May 12 16:52:28 2022", 120)).toBe(Date.UTC(2022, 4, 12, 14, 52, 28));
    expect(parseKismetTime("Feb 30 2022")).toBeNull();
  });
});

describe("looksLikeKismetNetxml", () => {
  it("claims the netxml fixture and not a gpsxml or CSV", () => {
    expect(looksLikeKismetNetxml(readFixture(NETXML).slice(0, 4096))).toBe(true);
    expect(looksLikeKismetNetxml('<?xml version="1.0"?>\n<gps-run gps-version="5">')).toBe(false);
  });
});

describe("parseKismetNetxml fuzzing", () => {
  const expectContract = (tally: EventTally) => {
    expect(tally.pendingRecords).toBe(0);
    expect(tally.maxPending).toBeLessThanOrEqual(1);
    expect(tally.orphanOutcomes).toBe(0);
  };
  it("never throws on arbitrary text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary" }), async (text) => {
        expectContract(await EventTally.of(parseKismetNetxml(once(text), ctx)));
      }),
      { numRuns: 300 },
    );
  });
  it("never throws on mutated fixture text", async () => {
    const text = readFixture(NETXML);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.nat({ max: text.length }),
            fc.nat({ max: 60 }),
            fc.constantFrom("<", ">", "&", "", '"', "\u0000", "</wireless-network>"),
          ),
          { maxLength: 8 },
        ),
        async (edits) => {
          let mutated = text;
          for (const [at, len, insert] of edits)
            mutated = mutated.slice(0, at) + insert + mutated.slice(at + len);
          const tally = await EventTally.of(parseKismetNetxml(once(mutated), ctx));
          expectContract(tally);
          expect(tally.observations + tally.rejected).toBe(tally.records);
        },
      ),
      { numRuns: 60 },
    );
  });
});
