import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDevice } from "../services/devices.js";
import { makeBatch, manySightings, postBatch } from "../test-support/batches.js";
import { countRows, expectError } from "../test-support/expect-error.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";

let cloud: TestCloud;
let device: { id: string; token: string };
beforeEach(async () => {
  // small limits so "too large" is cheap to provoke
  cloud = await openTestCloud({
    wireLimits: { maxCompressedBytes: 64 * 1024, maxDecompressedBytes: 256 * 1024 },
  });
  device = await createDevice(cloud.db, { name: "pi-1" });
});
afterEach(() => cloud.cleanup());

const valid = () => makeBatch({ deviceId: device.id, batchSeq: 9 }, manySightings(5));

describe("POST /v1/ingest refuses bad input with a clear error and stores nothing", () => {
  it.each([
    ["a wrong Content-Type", { "content-type": "application/json" }, "unsupported_media_type"],
    ["no Content-Type", { "content-type": "" }, "unsupported_media_type"],
    ["an unsupported Content-Encoding", { "content-encoding": "deflate" }, "unsupported_encoding"],
    ["no Content-Encoding", { "content-encoding": "" }, "unsupported_encoding"],
  ])("415 for %s", async (_, headers, code) => {
    await expectError(await postBatch(cloud.app, device.token, valid(), { headers }), 415, code);
    expect(await countRows(cloud.db, "landed_batches")).toBe(0);
  });

  it("413 for a body over the size limit, before it is decoded", async () => {
    const body = new Uint8Array(64 * 1024 + 1);
    await expectError(await postBatch(cloud.app, device.token, valid(), { body }), 413, "too_large");
  });

  it("413 for a body that inflates past the decompressed limit (gzip bomb)", async () => {
    const body = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    expect(body.byteLength).toBeLessThan(64 * 1024);
    await expectError(await postBatch(cloud.app, device.token, valid(), { body }), 413, "too_large");
  });

  it.each([
    ["corrupt gzip", () => new Uint8Array([0x1f, 0x8b, 1, 2, 3]), "bad_compression"],
    ["gzip of something that is not JSON", () => gzipSync("not json"), "invalid_json"],
    ["a future wire version", () => gzipSync(JSON.stringify({ v: 99 })), "unsupported_version"],
    [
      "a JSON object that is not a batch",
      () => gzipSync(JSON.stringify({ v: 1, hello: 1 })),
      "invalid_batch",
    ],
  ])("400 for %s", async (_, makeBody, code) => {
    await expectError(await postBatch(cloud.app, device.token, valid(), { body: makeBody() }), 400, code);
    expect(await countRows(cloud.db, "landed_batches")).toBe(0);
  });

  it("still lands a valid batch from the same device after bad ones", async () => {
    await postBatch(cloud.app, device.token, valid(), { body: gzipSync("garbage") });
    await postBatch(cloud.app, device.token, valid(), { headers: { "content-type": "text/plain" } });
    const res = await postBatch(cloud.app, device.token, valid());
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });
    expect(await countRows(cloud.db, "landed_batches")).toBe(1);
  });

  it("answers unknown routes with the same error shape", async () => {
    await expectError(await cloud.app.request("/v1/nope"), 404, "not_found");
  });
});
