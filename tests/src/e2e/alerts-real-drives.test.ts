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

/** A WiGLE 1.4 drive (rows: mac, ssid, auth, channel, lat, lon) at `at`, one second apart. */
function wigleDrive(at: string, rows: [string, string, string, number, number, number][]): string {
  const start = Date.parse(at);
  const lines = rows.map(([mac, ssid, auth, channel, lat, lon], i) => {
    const time = new Date(start + i * 1000).toISOString().replace("T", " ").slice(0, 19);
    return `${mac},${ssid},${auth},${time},${channel},-55,${lat},${lon},35,5,WIFI`;
  });
  return [
    "WigleWifi-1.4,appRelease=2.25,model=e2e,release=1,device=e2e,display=e2e,board=e2e,brand=e2e",
    "MAC,SSID,AuthMode,FirstSeen,Channel,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type",
    ...lines,
    "",
  ].join("\n");
}

const WPA2 = "[WPA2-PSK-CCMP][ESS]";
const OPEN = "[ESS]";
const [LAT, LON] = [48.85, 2.35];
const DOWNGRADED = "a0:11:11:00:00:01";
const RENAMED = "a0:11:11:00:00:02";
const MOVED = "a0:11:11:00:00:03";
const KNOWN_GUEST = "a0:11:11:00:00:04";
const TWIN = "00:13:37:00:00:99";
const PINEAPPLE = "c0:22:22:00:00:05";

/** `t=<s>,v1=<hex>` checked as a receiver would: HMAC-SHA256(secret, "<t>.<body>"), t within 5 minutes. */
function signatureValid(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("alerts on real drives and on a constructed one", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;
  let operatorKey = "";
  const secrets = new Map<number, string>();
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
    const hook = await api("POST", "/v1/webhooks", operatorKey, { url: hookUrl });
    expect(hook.status).toBe(201);
    secrets.set((hook.json.webhook as { id: number }).id, String(hook.json.secret));

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

  it("raises each alert type from a constructed drive, shown by the API, and delivers signed webhooks", async () => {
    const attacker = new EdgeHarness(await cloud.addDevice("edge-constructed"));
    try {
      await attacker.importText(
        wigleDrive("2026-03-01T10:00:00Z", [
          [DOWNGRADED, "Harbor-Corp", WPA2, 6, LAT, LON],
          [RENAMED, "Harbor-Office", WPA2, 1, LAT, LON + 0.0005],
          [MOVED, "Harbor-Lab", WPA2, 36, LAT, LON + 0.001],
          [KNOWN_GUEST, "Harbor-Guest", WPA2, 11, LAT, LON + 0.0015],
        ]),
      );
      expect((await attacker.syncOnce(cloud)).code).toBe(0);
      await cloud.waitMerged();
      expect(await allAlerts()).toEqual([]);

      // an analyst watches for pineapples; an operator gives the entry its own hook
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/pineapples`;
      const watch = await api("POST", "/v1/watchlist", operatorKey, {
        type: "ssid_pattern",
        value: "*pineapple*",
        webhook: { url: hookUrl },
      });
      expect(watch.status).toBe(201);
      const entryHook = watch.json.webhook as { id: number; secret: string };
      secrets.set(entryHook.id, entryHook.secret);

      await attacker.importText(
        wigleDrive("2026-03-01T11:00:00Z", [
          [DOWNGRADED, "Harbor-Corp", OPEN, 6, LAT, LON],
          [RENAMED, "Harbor-Office-2", WPA2, 1, LAT, LON + 0.0005],
          [MOVED, "Harbor-Lab", WPA2, 44, LAT, LON + 0.001],
          [TWIN, "Harbor-Guest", OPEN, 11, LAT + 0.0009, LON + 0.0015], // ~100 m north of the known one
          [PINEAPPLE, "Free-Pineapple-WiFi", OPEN, 6, LAT, LON + 0.002],
        ]),
      );
      expect((await attacker.syncOnce(cloud)).code).toBe(0);
      await cloud.waitMerged();

      const alerts = await allAlerts();
      expect(alerts.map((a) => [a.type, a.subject.id]).sort()).toEqual(
        [
          ["channel_change", MOVED],
          ["encryption_downgrade", DOWNGRADED],
          ["evil_twin", TWIN],
          ["ssid_change", RENAMED],
          ["watchlist_hit", PINEAPPLE],
        ].sort(),
      );
      const byType = new Map(alerts.map((a) => [a.type, a]));
      expect(byType.get("encryption_downgrade")?.evidence).toMatchObject({ known: "WPA2", seen: "OPEN" });
      expect(byType.get("ssid_change")?.evidence).toMatchObject({
        known: "Harbor-Office",
        seen: "Harbor-Office-2",
      });
      expect(byType.get("channel_change")?.evidence).toMatchObject({ known: "36", seen: "44" });
      expect(byType.get("evil_twin")?.evidence).toMatchObject({ known: KNOWN_GUEST, seen: "OPEN" });
      for (const a of alerts) expect(a.evidence.sightings.length, a.type).toBe(1);

      // the filters and the network detail show them too
      const twins = (await api("GET", "/v1/alerts?type=evil_twin", cloud.analystKey)).json.alerts as Alert[];
      expect(twins.map((a) => a.subject.id)).toEqual([TWIN]);
      const detail = await api("GET", `/v1/networks/${DOWNGRADED}`, cloud.analystKey);
      expect((detail.json.alerts as Alert[]).map((a) => a.type)).toEqual(["encryption_downgrade"]);
      const twinDetail = await api("GET", `/v1/networks/${TWIN}`, cloud.analystKey);
      expect((twinDetail.json.alerts as Alert[]).map((a) => a.type)).toEqual(["evil_twin"]);
      const ack = await api("POST", `/v1/alerts/${byType.get("evil_twin")?.id}/ack`, cloud.analystKey);
      expect(ack.json.alert).toMatchObject({ acknowledgedBy: expect.stringMatching(/^key-/) });

      // the worker process sent every delivery: 5 to the hook for all alerts, 1 to the entry's hook; the
      // receiver's first answer was a 500, so one of them was retried (backoff) and then delivered
      type Delivery = { alertId: number; webhookId: number; status: string; attempts: number };
      const deliveries = await waitFor(
        "every delivery delivered",
        async () => {
          const d = (await api("GET", "/v1/webhooks/deliveries", operatorKey)).json.deliveries as Delivery[];
          return d.length === 6 && d.every((x) => x.status === "delivered") ? d : undefined;
        },
        60_000,
        250,
      );
      expect(deliveries.filter((d) => d.webhookId === entryHook.id)).toHaveLength(1);
      expect(deliveries.map((d) => d.attempts).sort()).toEqual([1, 1, 1, 1, 1, 2]);
      expect(received).toHaveLength(7);
      for (const r of received) {
        const sent = JSON.parse(r.body) as { webhookId: number; alert: Alert };
        expect(signatureValid(secrets.get(sent.webhookId) ?? "", r.signature, r.body)).toBe(true);
        expect(signatureValid("whsec_wrong", r.signature, r.body)).toBe(false);
      }
      const toEntry = received.map((r) => JSON.parse(r.body)).filter((b) => b.webhookId === entryHook.id);
      expect(toEntry.map((b) => b.alert.type)).toEqual(["watchlist_hit"]);
    } finally {
      attacker.cleanup();
    }
  });
});
