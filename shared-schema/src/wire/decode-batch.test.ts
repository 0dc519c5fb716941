import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { brotliCompressSync, constants, createGzip, gzipSync } from "node:zlib";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { emptyObservation } from "../domain/observation-record.js";
import { deltaBatchArbitrary } from "../test-support/batch-arbitraries.js";
import { toColumnar } from "./columnar-batch.js";
import { decodeDeltaBatch, decodeLandedBatch } from "./decode-batch.js";
import { type DeltaBatch, WireError, type WireErrorCode } from "./delta-batch.js";
import { encodeDeltaBatch } from "./encode-batch.js";

const batch: DeltaBatch = {
  version: 1,
  deviceId: "dev-1",
  runId: "run-1",
  batchSeq: 3,
  firstSeq: 10,
  lastSeq: 11,
  observations: [10, 11].map((seq) => ({
    ...emptyObservation({
      kind: "wifi",
      mac: "ac:22:05:db:4d:5b",
      seenAt: 1_750_000_000_000 + seq,
      source: "iw",
    }),
    seq,
    ssid: "<script>alert(1)</script>",
    lat: -33.8688197,
    lon: 151.2092955,
  })),
  gpsTrack: [],
  health: [],
};

const gzipJson = (value: unknown) => gzipSync(JSON.stringify(value));

async function refusal(
  body: Uint8Array,
  encoding: string | undefined,
  limits?: Parameters<typeof decodeDeltaBatch>[2],
) {
  const error = await decodeDeltaBatch(body, encoding, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WireError);
  return error as WireError;
}

const expectCode = async (code: WireErrorCode, ...args: Parameters<typeof refusal>) =>
  expect((await refusal(...args)).code).toBe(code);

describe("decodeDeltaBatch: encodings and sizes", () => {
  it("accepts gzip (also x-gzip), br, and identity / no Content-Encoding", async () => {
    const json = Buffer.from(JSON.stringify(toColumnar(batch)));
    expect(await decodeDeltaBatch(gzipSync(json), "x-gzip")).toEqual(batch);
    expect(await decodeDeltaBatch(brotliCompressSync(json), " BR ")).toEqual(batch);
    expect(await decodeDeltaBatch(json, undefined)).toEqual(batch);
    expect(await decodeDeltaBatch(json, "identity")).toEqual(batch);
  });

  it("refuses other encodings", async () => {
    for (const encoding of ["deflate", "gzip, br", "compress", "zstd"]) {
      await expectCode("unsupported_encoding", gzipJson(toColumnar(batch)), encoding);
    }
  });

  it("refuses a body over maxCompressedBytes before inflating it", async () => {
    const body = (await encodeDeltaBatch(batch)).body;
    const limits = { maxCompressedBytes: body.byteLength - 1, maxDecompressedBytes: 1 << 20 };
    await expectCode("too_large", body, "gzip", limits);
    await expectCode("too_large", Buffer.alloc(100), undefined, { ...limits, maxCompressedBytes: 99 });
    await expectCode("too_large", Buffer.alloc(100), undefined, {
      maxCompressedBytes: 1000,
      maxDecompressedBytes: 99,
    });
  });

  describe("bombs", () => {
    let gzipBomb: Buffer;
    beforeAll(async () => {
      // 1 GiB of zeros streamed through gzip -9: about 1 MB on the wire, under the 4 MiB compressed cap.
      const zeros = Buffer.alloc(1 << 20);
      function* gigabyte() {
        for (let i = 0; i < 1024; i++) yield zeros;
      }
      gzipBomb = await buffer(Readable.from(gigabyte()).pipe(createGzip({ level: 9 })));
    }, 60_000);

    it("stops inflating a 1 GiB gzip bomb at the cap, without the memory to hold it", async () => {
      expect(gzipBomb.byteLength).toBeLessThan(4 * 1024 * 1024);
      const before = process.memoryUsage.rss();
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 1);
      try {
        const error = await refusal(gzipBomb, "gzip"); // default caps: 4 MiB in, 32 MiB out
        expect(error.code).toBe("too_large");
        expect(error.message).toContain(String(32 * 1024 * 1024));
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage.rss());
      expect(peak - before).toBeLessThan(256 * 1024 * 1024);
    });

    it("stops a brotli bomb at the cap too", async () => {
      const bomb = brotliCompressSync(Buffer.alloc(64 << 20), {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5 },
      });
      await expectCode("too_large", bomb, "br", {
        maxCompressedBytes: 1 << 20,
        maxDecompressedBytes: 1 << 20,
      });
    });
  });
});

describe("decodeDeltaBatch: content", () => {
  it("refuses corrupt or truncated compressed data with bad_compression", async () => {
    const body = (await encodeDeltaBatch(batch)).body;
    const flipped = Buffer.from(body);
    for (let i = 12; i < flipped.length - 8; i += 3) flipped[i] = (flipped[i] ?? 0) ^ 0x5a;
    await expectCode("bad_compression", flipped, "gzip");
    await expectCode("bad_compression", body.subarray(0, body.length - 12), "gzip");
    await expectCode("bad_compression", Buffer.from("not gzip at all"), "gzip");
    await expectCode("bad_compression", Buffer.from("not brotli"), "br");
  });

  it("refuses non-JSON and non-UTF-8 bodies with invalid_json", async () => {
    await expectCode("invalid_json", gzipSync("{v: 1"), "gzip");
    await expectCode("invalid_json", gzipSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), "gzip");
  });

  it("refuses an unknown version, naming it", async () => {
    for (const v of [2, 0, "1"]) {
      const error = await refusal(gzipJson({ ...toColumnar(batch), v }), "gzip");
      expect(error.code).toBe("unsupported_version");
      expect(error.message).toContain(JSON.stringify(v));
    }
    const { v: _v, ...rest } = toColumnar(batch);
    expect((await refusal(gzipJson({ ...rest, version: 7 }), "gzip")).code).toBe("unsupported_version");
  });

  it("refuses malformed batches with invalid_batch and a summary of what is wrong", async () => {
    const columnar = toColumnar(batch);
    const cases: Array<[unknown, string]> = [
      [[1, 2], "not a JSON object"],
      [{ ...columnar, v: undefined }, "missing wire version"],
      [
        { ...columnar, tx: { ...columnar.tx, mac: columnar.tx.mac.map(() => 99) } },
        "string index 99 out of range",
      ],
      [{ ...columnar, obs: { ...columnar.obs, tx: [0, 5] } }, "names transmitter 5"],
      [{ ...columnar, obs: { ...columnar.obs, rssiDbm: [-40] } }, "obs.rssiDbm has 1 rows"],
      [{ ...columnar, obs: { ...columnar.obs, rssiDbm: [-40, 400] } }, "observations.1.rssiDbm"],
      [{ ...columnar, deviceId: "" }, "deviceId"],
      [{ ...columnar, lastSeq: 10 }, "[firstSeq, lastSeq]"],
      [{ ...columnar, obs: { ...columnar.obs, lat: { e7: [0, 0], exact: [[5, 1]] } } }, "exact row 5"],
    ];
    for (const [json, text] of cases) {
      const error = await refusal(gzipJson(json), "gzip");
      expect(error.code).toBe("invalid_batch");
      expect(error.message).toContain(text);
    }
  });
});

describe("decodeDeltaBatch: fuzzing", () => {
  it("arbitrary bytes under any encoding yield a batch or a WireError, nothing else", async () => {
    const encodings = fc.constantFrom("gzip", "br", "identity", undefined, "deflate");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), encodings, async (bytes, encoding) => {
        const result = await decodeDeltaBatch(bytes, encoding).catch((e: unknown) => e);
        if (!(result instanceof WireError)) expect(result).toHaveProperty("version", 1);
      }),
      { numRuns: 300 },
    );
  });

  it("arbitrary JSON, and valid batches with a field replaced by arbitrary JSON, never escape WireError", async () => {
    const mutation = fc.record({
      section: fc.constantFrom("top", "tx", "obs", "gps"),
      key: fc.constantFrom(
        "v",
        "seq",
        "tx",
        "mac",
        "ssid",
        "seenAt",
        "lat",
        "lon",
        "strings",
        "fixedAt",
        "source",
        "health",
      ),
      value: fc.jsonValue(),
    });
    await fc.assert(
      fc.asyncProperty(deltaBatchArbitrary, mutation, fc.jsonValue(), async (valid, m, json) => {
        const columnar = toColumnar(valid) as unknown as Record<string, Record<string, unknown>>;
        const target = m.section === "top" ? columnar : (columnar[m.section] ?? {});
        target[m.key] = m.value;
        for (const body of [gzipJson(columnar), gzipJson(json)]) {
          const result = await decodeDeltaBatch(body, "gzip").catch((e: unknown) => e);
          if (!(result instanceof WireError)) expect(result).toHaveProperty("version", 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("decodeLandedBatch (a body the API accepted before)", () => {
  it("gives what decodeDeltaBatch gives: the same batch, or the same refusal", async () => {
    const mutation = fc.record({
      section: fc.constantFrom("top", "obs", "tx", "gps"),
      key: fc.constantFrom("v", "deviceId", "firstSeq", "lastSeq", "seq", "mac", "strings", "tx", "lat"),
      value: fc.jsonValue(),
    });
    await fc.assert(
      fc.asyncProperty(deltaBatchArbitrary, fc.option(mutation), async (valid, m) => {
        const columnar = toColumnar(valid) as unknown as Record<string, Record<string, unknown>>;
        if (m) {
          const target = m.section === "top" ? columnar : (columnar[m.section] ?? {});
          target[m.key] = m.value;
        }
        const body = gzipJson(columnar);
        const strict = await decodeDeltaBatch(body, "gzip").catch((e: unknown) => e);
        const landed = await decodeLandedBatch(body, "gzip").catch((e: unknown) => e);
        if (strict instanceof WireError) {
          expect(landed).toBeInstanceOf(WireError);
          expect((landed as WireError).code).toBe(strict.code);
        } else {
          expect(landed).toEqual(strict);
        }
      }),
      { numRuns: 300 },
    );
    const error = await decodeLandedBatch(Buffer.from("not gzip"), "gzip").catch((e: unknown) => e);
    expect((error as WireError).code).toBe("bad_compression");
  });
});
