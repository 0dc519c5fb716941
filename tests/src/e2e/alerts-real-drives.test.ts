import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { edgeObservations, type ObservationRow } from "./harness/compare.js";
import { EdgeHarness } from "./harness/edge.js";
import { encodeEdgeBatch, postIngest, wireHeaders } from "./harness/ingest.js";
import { fixture } from "./harness/paths.js";
import { killAllChildren, waitFor } from "./harness/processes.js";

/*
 * No false alarms on real data: every real drive in the fixtures, merged through the real API and worker
 * in many small batches (so each rule compares most sightings with what earlier batches taught the cloud),
 * raises no alert; sending every batch again, or the same sightings cut into other batches, raises nothing
 * new. Then a constructed drive raises each alert type, visible through the API, and a webhook reaches a
 * real local receiver through the worker process (a 500 first, then the retry).
 */

const REAL_DRIVES = [
  "wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv",
  "wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv",
  "iw-scan/jc_centos-7.7_iw-scan0.out",
  "iw-scan/jc_centos-7.7_iw-scan1.out",
  "iw-scan/p4wnp1_iw-wlan0-scan_extracted-from-go.txt",
  "iwlist-scan/node-wifi-scanner_iwlist01_ubuntu1404.txt",
  "iwlist-scan/node-wifi-scanner_iwlist02_raspi.txt",
  "nmcli/node-wifi-scanner_nmcli01_tabular_de.txt",
  "kismet/kismet-2016.07.R1_20220512-16-52-28_no-gps.netxml",
  "kismet/kismet-2018.08.BETA1_dbv4_rtlamr_Kismet-20181205-15-11-12-1.kismet",
  "bluetooth/btmgmt-find_hci0_extracted-from-py.txt",
  "bluetooth/jc_generic_bluetoothctl_device.out",
].map(fixture);

const BATCH_ROWS = 1;

interface Alert {
  id: number;
  type: string;
  subject: { id: string };
  ssid: string | null;
  evidence: { known: string | null; seen: string | null; sightings: unknown[] };
}

/** Cuts the edge's rows into batches of `size` consecutive seqs per run, numbered from `firstBatchSeq`. */
function cut(rows: Map<string, ObservationRow>, size: number, firstBatchSeq: number) {
  const byRun = new Map<string, number[]>();
  for (const r of rows.values()) {
    const run = String(r.run_id);
    byRun.set(run, [...(byRun.get(run) ?? []), Number(r.seq)]);
  }
  const keys: { runId: string; batchSeq: number; firstSeq: number; lastSeq: number }[] = [];
  let batchSeq = firstBatchSeq;
  for (const [runId, seqs] of byRun) {
    seqs.sort((a, b) => a - b);
    for (let i = 0; i < seqs.length; i += size) {
      const chunk = seqs.slice(i, i + size);
      keys.push({
        runId,
        batchSeq: batchSeq++,
        firstSeq: chunk[0] ?? 0,
        lastSeq: chunk[chunk.length - 1] ?? 0,
      });
    }
  }
  return keys;
}

describe("alerts on real drives and on a constructed one", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;
  let operatorKey = "";
  let receiver: Server;
  const received: { body: string; signature: string }[] = [];
  const answers = [500];

  const api = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${cloud.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const allAlerts = async (): Promise<Alert[]> =>
    (await api("GET", "/v1/alerts?limit=1000", cloud.analystKey)).json.alerts as Alert[];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString("utf8");
      });
      req.on("end", () => {
        received.push({ body, signature: String(req.headers["x-piwardrive-signature"]) });
        res.statusCode = answers.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    cloud.extraEnv = { PIWARDRIVE_WEBHOOK_ALLOW_CIDRS: "127.0.0.1/32" };
    await cloud.init();
    operatorKey = await cloud.addKey("operator");
    edge = new EdgeHarness(await cloud.addDevice());
    await cloud.startApi();
    await cloud.startWorker();
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
    await new Promise((r) => receiver.close(r));
  });

  it("raises no alert from the real drives merged in many small batches, nor from any replay", async () => {
    // a hook for every alert is set before the drives, so a false alarm would also be a delivery
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/all`;
    expect((await api("POST", "/v1/webhooks", operatorKey, { url: hookUrl })).status).toBe(201);

    await edge.import(...REAL_DRIVES);
    const rows = await edgeObservations(edge);
    // what the importer reports for these files: 124 + 17 + 2 + 26 + 11 + 29 + 3 + 19 + 14 + 0 + 551 + 1
    expect(rows.size).toBe(797);
    const keys = cut(rows, BATCH_ROWS, 0);
    expect(keys.length).toBe(797);
    const { id: deviceId, token } = edge.device;
    const bodies = [];
    for (const key of keys) {
      const { encoded } = await encodeEdgeBatch(deviceId, rows, key);
      bodies.push(encoded);
      const res = await postIngest(cloud.url, wireHeaders(encoded, token), encoded.body);
      expect(res.status, JSON.stringify(res.json)).toBe(202);
    }
    const stats = await cloud.waitMerged(120_000);
    expect(stats).toMatchObject({ observations: rows.size, batches: { landed: keys.length, failed: 0 } });
    expect(await allAlerts()).toEqual([]);

    // every batch again: duplicates
    for (const encoded of bodies) {
      const res = await postIngest(cloud.url, wireHeaders(encoded, token), encoded.body);
      expect(res.json).toEqual({ status: "duplicate" });
    }
    // the same sightings cut into other batches (an edge that re-planned after losing its acks): merged,
    // nothing inserted, nothing raised
    const again = cut(rows, 7, 100_000);
    for (const key of again) {
      const { encoded } = await encodeEdgeBatch(deviceId, rows, key);
      expect((await postIngest(cloud.url, wireHeaders(encoded, token), encoded.body)).status).toBe(202);
    }
    const after = await cloud.waitMerged(120_000);
    expect(after).toMatchObject({ observations: rows.size, batches: { landed: keys.length + again.length } });
    expect(
      await cloud.count("SELECT sum(inserted_count) AS n FROM landed_batches WHERE batch_seq >= 100000"),
    ).toBe(0);
    expect(await allAlerts()).toEqual([]);
    expect(await cloud.count("SELECT count(*) AS n FROM webhook_deliveries")).toBe(0);
    expect(received).toEqual([]);
  });
});
