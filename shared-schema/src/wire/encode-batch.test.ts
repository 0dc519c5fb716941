import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyObservation } from "../domain/observation-record.js";
import { deltaBatchArbitrary } from "../test-support/batch-arbitraries.js";
import type { ColumnarBatch } from "./columnar-batch.js";
import { decodeDeltaBatch } from "./decode-batch.js";
import type { DeltaBatch, WireObservation } from "./delta-batch.js";
import { encodeDeltaBatch, WIRE_CONTENT_TYPE } from "./encode-batch.js";

const columnarOf = (body: Buffer): ColumnarBatch => JSON.parse(gunzipSync(body).toString("utf8"));

/** Deterministic noise (mulberry32) so the "realistic" batch is not unrealistically regular. */
function noise(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A drive: a scan every ~2 s sees 20-60 of the 400 APs near the road (the set drifts as the car moves),
 * every sighting tagged with that scan's fix (7-decimal degrees, GPS-like jitter), noisy RSSI.
 */
function realisticBatch(rows: number): DeltaBatch {
  const random = noise(42);
  const observations: WireObservation[] = [];
  let lat = -33.8688197;
  let lon = 151.2092955;
  let at = 1_750_000_000_000;
  for (let scan = 0; observations.length < rows; scan++) {
    lat = Math.round((lat + 1e-4 * random()) * 1e7) / 1e7;
    lon = Math.round((lon + 1.5e-4 * random()) * 1e7) / 1e7;
    at += 1900 + Math.floor(random() * 300);
    const seen = Math.min(rows - observations.length, 20 + Math.floor(random() * 40));
    for (let i = 0; i < seen; i++) {
      const ap = (scan * 3 + Math.floor(random() * 120)) % 400;
      const mac = `a4:2b:b0:${[ap >> 8, ap & 0xff, (ap * 37) & 0xff].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
      observations.push({
        ...emptyObservation({ kind: "wifi", mac, seenAt: at + i * 4, source: "iw" }),
        seq: 1000 + observations.length,
        ssid: ap % 9 === 0 ? null : `Network-${(ap * 7919) % 10007}`,
        authMode: ap % 5 === 0 ? "OPEN" : "WPA2",
        capabilities: ap % 5 === 0 ? "[ESS]" : "[WPA2-PSK-CCMP][ESS]",
        channel: [1, 6, 11, 36, 44, 149][ap % 6] ?? 1,
        frequencyMhz: [2412, 2437, 2462, 5180, 5220, 5745][ap % 6] ?? 2412,
        rssiDbm: -35 - Math.floor(random() * 60),
        lat,
        lon,
        altitudeM: Math.round(40 + random() * 5),
        accuracyM: Math.round(30 + random() * 40) / 10,
      });
    }
  }
  return {
    version: 1,
    deviceId: "dev-1",
    runId: "run-1",
    batchSeq: 7,
    firstSeq: 1000,
    lastSeq: 999 + rows,
    observations,
    gpsTrack: [],
    health: [],
  };
}

describe("encodeDeltaBatch", () => {
  it("round-trips every valid batch exactly, with gzip and with brotli", async () => {
    await fc.assert(
      fc.asyncProperty(
        deltaBatchArbitrary,
        fc.constantFrom("gzip" as const, "br" as const),
        async (batch, encoding) => {
          const encoded = await encodeDeltaBatch(batch, { encoding });
          expect(encoded.contentEncoding).toBe(encoding);
          expect(encoded.contentType).toBe(WIRE_CONTENT_TYPE);
          expect(await decodeDeltaBatch(encoded.body, encoding)).toEqual(batch);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("round-trips a few MACs whose SSID, channel or RSSI change between sightings", async () => {
    const macs = fc.constantFrom("aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02");
    const arbitrary = fc.tuple(deltaBatchArbitrary, fc.array(macs, { minLength: 100, maxLength: 100 }));
    await fc.assert(
      fc.asyncProperty(arbitrary, async ([batch, picks]) => {
        batch.observations.forEach((o, i) => {
          o.mac = picks[i % picks.length] as string;
        });
        expect(await decodeDeltaBatch((await encodeDeltaBatch(batch)).body, "gzip")).toEqual(batch);
      }),
      { numRuns: 100 },
    );
  });

  it("writes columns: a string dictionary, seq and time deltas, positions as 1e-7 degree deltas", async () => {
    const batch = realisticBatch(80);
    const columnar = columnarOf((await encodeDeltaBatch(batch)).body);
    expect(columnar.v).toBe(1);
    expect(columnar.obs.seq.every((d) => d === 0 || d === 1)).toBe(true);
    expect(new Set(columnar.strings).size).toBe(columnar.strings.length);
    expect(columnar.strings.filter((s) => s === "WPA2")).toHaveLength(1);
    // One new position per scan; the other sightings of a scan repeat it and cost a 0. None is verbatim.
    const scans = batch.observations.filter((o, i) => o.lat !== batch.observations[i - 1]?.lat).length;
    expect(scans).toBeLessThan(6);
    expect(columnar.obs.lat.e7.filter((d) => d !== 0)).toHaveLength(scans);
    expect(columnar.obs.lat.exact).toEqual([]);
  });

  it("sends positions off the 1e-7 grid verbatim, so they still arrive exactly", async () => {
    const batch = realisticBatch(3);
    const [a, b, c] = batch.observations as [WireObservation, WireObservation, WireObservation];
    a.lat = 51.477928 + 1 / 3; // converted from NMEA minutes: not a 7-decimal value
    b.lat = null;
    c.lon = 46.498204497; // gpsd's 9 decimals
    const encoded = await encodeDeltaBatch(batch);
    expect(columnarOf(encoded.body).obs.lat.exact).toEqual([[0, a.lat]]);
    expect(await decodeDeltaBatch(encoded.body, "gzip")).toEqual(batch);
  });

  it("refuses a batch the receiver would refuse, naming the field", async () => {
    const batch = realisticBatch(2);
    (batch.observations[1] as WireObservation).rssiDbm = 99;
    await expect(encodeDeltaBatch(batch)).rejects.toMatchObject({
      name: "WireError",
      code: "invalid_batch",
      message: expect.stringContaining("observations.1.rssiDbm"),
    });
  });

  it("sends a negative zero as 0 (JSON has no -0)", async () => {
    const batch = realisticBatch(1);
    (batch.observations[0] as WireObservation).altitudeM = -0;
    const decoded = await decodeDeltaBatch((await encodeDeltaBatch(batch)).body, "gzip");
    expect(Object.is(decoded.observations[0]?.altitudeM, 0)).toBe(true);
  });

  it("is far smaller than gzipped row-per-object JSON for a drive", async () => {
    // Measured on this batch (5,000 rows, 400 APs, noisy RSSI): columnar JSON ≈ 30 B/observation before
    // compression, ≈ 5.9 B/observation gzipped, ≈ 5.6 B with brotli q5; row-per-object JSON gzipped ≈ 22 B.
    // Most of what remains is the RSSI noise and which APs a scan saw. Speed belongs to tests/bench.
    const batch = realisticBatch(5000);
    const gzip = await encodeDeltaBatch(batch);
    const br = await encodeDeltaBatch(batch, { encoding: "br" });
    const plain = gzipSync(JSON.stringify(batch)).byteLength;
    expect(gzip.body.byteLength * 2).toBeLessThan(plain);
    expect(br.body.byteLength).toBeLessThan(gzip.body.byteLength);
    expect(gzip.jsonBytes).toBe(gunzipSync(gzip.body).byteLength);
  });
});
