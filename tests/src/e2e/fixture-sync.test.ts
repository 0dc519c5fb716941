import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import {
  cloudAggregates,
  cloudObservations,
  edgeAggregates,
  edgeObservations,
  type ObservationRow,
} from "./harness/compare.js";
import { EdgeHarness } from "./harness/edge.js";
import { encodeEdgeBatch, landedBatchKey, postIngest, wireHeaders } from "./harness/ingest.js";
import { fixture } from "./harness/paths.js";
import { killAllChildren } from "./harness/processes.js";

const WIGLE = fixture("wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv");
const IW = fixture("iw-scan/jc_centos-7.7_iw-scan0.out");

describe("a real fixture imported on the edge and synced", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await cloud.startApi();
    await cloud.startWorker();
    await edge.import(WIGLE, IW);
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
  });

  it("arrives in the cloud row for row, with the right network aggregates, and a resend is a duplicate", async () => {
    const edgeRows = await edgeObservations(edge);
    // 17 WiGLE rows + 2 iw BSSs, as the importer reports for these files
    expect(edgeRows.size).toBe(19);

    const { code, json } = await edge.syncOnce(cloud);
    expect(code).toBe(0);
    expect(json).toMatchObject({ observationsSent: 19, duplicates: 0, backlog: 0 });
    const stats = await cloud.waitMerged();
    expect(stats.batches.failed).toBe(0);
    expect(stats.observations).toBe(19);

    const cloudRows = await cloudObservations(cloud, edge.device.id);
    expect([...cloudRows.keys()]).toEqual([...edgeRows.keys()]);
    for (const [key, row] of edgeRows) expect(cloudRows.get(key), key).toEqual(row);

    // spot checks against the fixture text itself, not just edge == cloud
    const byMac = (mac: string) => [...cloudRows.values()].find((r) => r.mac === mac);
    const banot = byMac("a0:4f:d4:3b:fb:a1") as ObservationRow;
    expect(banot).toMatchObject({ ssid: "Banot", rssi_dbm: -45, channel: 1, kind: "wifi" });
    expect(banot.lat).toBeCloseTo(32.10178256034851, 9);
    expect(banot.lon).toBeCloseTo(35.20535588264465, 9);
    expect(String(banot.auth_mode)).toMatch(/wpa2/i);
    // 2017-10-29 18:21:43 in some local zone: within a day of it, not 1970 or "now"
    expect(Math.abs(Number(banot.seen_at) - Date.UTC(2017, 9, 29, 18, 21, 43))).toBeLessThan(86_400_000);
    const achia = byMac("74:da:38:14:47:f3") as ObservationRow;
    expect(achia).toMatchObject({ ssid: "Achiatheking_2EX", rssi_dbm: -64, channel: 6 });
    const iwRows = [...cloudRows.values()].filter((r) => r.source !== banot.source);
    expect(iwRows.length).toBe(2);

    const edgeAgg = await edgeAggregates(edge);
    expect(await cloudAggregates(cloud)).toEqual(edgeAgg);
    expect(stats.networks).toBe(edgeAgg.length);

    // the same batch again, re-encoded from the edge's rows: a duplicate that changes nothing
    const before = await cloud.stats();
    const key = await landedBatchKey(cloud, edge.device.id, stats.batches.landed);
    const { encoded } = await encodeEdgeBatch(edge.device.id, edgeRows, key);
    const again = await postIngest(cloud.url, wireHeaders(encoded, edge.device.token), encoded.body);
    expect(again).toEqual({ status: 202, json: { status: "duplicate" } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await cloud.stats()).toEqual(before);
    expect(await cloudObservations(cloud, edge.device.id)).toEqual(cloudRows);
    expect(await cloudAggregates(cloud)).toEqual(edgeAgg);
  });
});
