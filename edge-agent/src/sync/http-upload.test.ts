import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudPeer, startCloudPeer } from "../test-support/cloud-peer.js";
import { ingestUrl, uploadBatch } from "./http-upload.js";

let peer: CloudPeer;
beforeAll(async () => {
  peer = await startCloudPeer();
});
afterAll(() => peer.close());

const encoded = await encodeDeltaBatch({
  version: 1,
  deviceId: "dev-1",
  runId: "run-1",
  batchSeq: 1,
  firstSeq: 1,
  lastSeq: 1,
  observations: [],
  gpsTrack: [],
  health: [],
});
const target = () => ({ cloudUrl: `${peer.url}/`, token: peer.token, timeoutMs: 2_000 });

describe("uploadBatch", () => {
  it("posts to /v1/ingest with the token, the media type and the encoding; 202 acknowledges", async () => {
    expect(ingestUrl("https://cloud.example//")).toBe("https://cloud.example/v1/ingest");
    expect(await uploadBatch(target(), encoded)).toEqual({ kind: "acked", status: 202, duplicate: false });
    expect(await uploadBatch(target(), encoded)).toEqual({ kind: "acked", status: 202, duplicate: true });
  });

  it("treats 408, 429 and 5xx as retryable, with Retry-After when sent", async () => {
    const now = Date.parse("2025-06-01T12:00:00Z");
    const cases: Array<[number, string | undefined, number | null]> = [
      [408, undefined, null],
      [429, "7", 7_000],
      [500, undefined, null],
      [503, "Sun, 01 Jun 2025 12:00:05 GMT", 5_000],
    ];
    for (const [status, retryAfter, expected] of cases) {
      peer.fault = () => ({ status, retryAfter });
      const outcome = await uploadBatch(target(), encoded, () => now);
      expect(outcome).toMatchObject({ kind: "retry", status, retryAfterMs: expected });
    }
  });

  it("treats other 4xx as a refusal and keeps the API's reason", async () => {
    peer.fault = () => ({
      status: 422,
      body: { error: { code: "invalid_batch", message: "firstSeq must not exceed lastSeq" } },
    });
    expect(await uploadBatch(target(), encoded)).toEqual({
      kind: "refused",
      status: 422,
      reason: "HTTP 422: invalid_batch firstSeq must not exceed lastSeq",
    });
    peer.fault = () => undefined;
    expect(await uploadBatch({ ...target(), token: "wrong" }, encoded)).toMatchObject({
      kind: "refused",
      status: 401,
    });
  });

  it("treats a reset, a refused connection and a timeout as retryable network errors", async () => {
    peer.fault = () => ({ reset: "before" });
    expect(await uploadBatch(target(), encoded)).toMatchObject({ kind: "retry", status: null });
    peer.fault = () => ({ until: new Promise(() => {}) });
    expect(await uploadBatch({ ...target(), timeoutMs: 100 }, encoded)).toMatchObject({
      kind: "retry",
      reason: "request timed out",
    });
    peer.fault = () => undefined;
    const closed = createServer().listen(0, "127.0.0.1");
    const port = (closed.address() as AddressInfo | null)?.port ?? 1;
    closed.close();
    const refused = await uploadBatch({ ...target(), cloudUrl: `http://127.0.0.1:${port}` }, encoded);
    expect(refused).toMatchObject({
      kind: "retry",
      status: null,
      reason: expect.stringContaining("network error"),
    });
  });
});
