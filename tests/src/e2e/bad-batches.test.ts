import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { WIRE_CONTENT_TYPE } from "@piwardrive/shared-schema/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness, type Device } from "./harness/cloud.js";
import { cloudObservations, edgeObservations } from "./harness/compare.js";
import { EdgeHarness } from "./harness/edge.js";
import { encodeEdgeBatch, postIngest } from "./harness/ingest.js";
import { fixture } from "./harness/paths.js";
import { killAllChildren } from "./harness/processes.js";

interface BadCase {
  name: string;
  status: number;
  request: () => Promise<{ headers: Record<string, string>; body: Uint8Array }>;
}

describe("bad batches against the real server", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;
  let other: Device;
  /** A valid body for `edge`'s device (run "bad-run"), and the same rows claiming another device. */
  let valid: Uint8Array;
  let foreign: Uint8Array;

  const headers = (token?: string, extra: Record<string, string> = {}) => ({
    "content-type": WIRE_CONTENT_TYPE,
    "content-encoding": "gzip",
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    ...extra,
  });
  const own =
    (body: Uint8Array, extra: Record<string, string> = {}) =>
    async () => ({
      headers: headers(edge.device.token, extra),
      body,
    });

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice("edge-a"));
    other = await cloud.addDevice("edge-b");
    await cloud.startApi();
    await cloud.startWorker();
    await edge.import(fixture("wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv"));
    const rows = await edgeObservations(edge);
    const runId = String([...rows.values()][0]?.run_id);
    const key = { runId, batchSeq: 999, firstSeq: 1, lastSeq: rows.size };
    valid = (await encodeEdgeBatch(edge.device.id, rows, key)).encoded.body;
    foreign = (await encodeEdgeBatch(other.id, rows, key)).encoded.body;
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
  });

  const cases: BadCase[] = [
    { name: "no token", status: 401, request: async () => ({ headers: headers(), body: valid }) },
    {
      name: "wrong token",
      status: 401,
      request: async () => ({ headers: headers("not-a-token"), body: valid }),
    },
    {
      name: "another device's id",
      status: 403,
      request: async () => ({ headers: headers(edge.device.token), body: foreign }),
    },
    {
      name: "corrupt gzip",
      status: 400,
      request: own(Uint8Array.from([0x1f, 0x8b, 8, 0, ...randomBytes(200)])),
    },
    // 64 MiB of zeros deflates to ~64 KiB: under the body cap, far over the inflated cap
    { name: "gzip bomb", status: 413, request: async () => own(gzipSync(Buffer.alloc(64 * 1024 * 1024)))() },
    { name: "invalid JSON", status: 400, request: own(gzipSync('{"version":1,"deviceId":')) },
    {
      name: "unknown version",
      status: 400,
      request: async () => own(gzipSync(JSON.stringify({ version: 99, deviceId: edge.device.id })))(),
    },
    { name: "oversized body", status: 413, request: own(randomBytes(5 * 1024 * 1024)) },
    {
      name: "wrong content-type",
      status: 415,
      request: async () => ({
        headers: headers(edge.device.token, { "content-type": "text/plain" }),
        body: valid,
      }),
    },
  ];

  it.each(cases)("$name -> $status with the error shape, nothing stored", async ({ status, request }) => {
    const { headers: h, body } = await request();
    const res = await postIngest(cloud.url, h, body);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({
      error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
    });
    const stats = await cloud.stats();
    expect(stats.observations).toBe(0);
    expect(stats.batches.landed).toBe(0);
  });

  it("still lands the same device's valid batch afterwards, and its real sync", async () => {
    const res = await postIngest(cloud.url, headers(edge.device.token), valid);
    expect(res).toEqual({ status: 202, json: { status: "accepted" } });
    const { code, json } = await edge.syncOnce(cloud);
    expect(code).toBe(0);
    expect(json?.backlog).toBe(0);
    const stats = await cloud.waitMerged();
    expect(stats.batches).toEqual({ landed: 2, merged: 2, failed: 0 });
    const rows = await edgeObservations(edge);
    expect(stats.observations).toBe(rows.size);
    expect([...(await cloudObservations(cloud, edge.device.id)).keys()]).toEqual([...rows.keys()]);
    expect(await cloud.count("SELECT count(*) AS n FROM observations WHERE device_id = ?", [other.id])).toBe(
      0,
    );
  });
});
