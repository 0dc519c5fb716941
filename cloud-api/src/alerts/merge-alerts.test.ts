import type { Client } from "@libsql/client";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { landBatch } from "../services/land-batch.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, sighting } from "../test-support/batches.js";
import { openTempDb } from "../test-support/test-cloud.js";
import { DEFAULT_ALERT_RULES } from "./alert-rules.js";
import { listAlerts } from "./alert-store.js";
import { addWatch } from "./watchlist.js";

const AP = "a0:aa:aa:00:00:01"; // globally administered (a vendor-assigned BSSID)
let db: Client;
let cleanup: () => void;
let batchSeq = 0;
beforeEach(async () => {
  ({ db, cleanup } = await openTempDb());
  batchSeq = 0;
});
afterEach(() => cleanup());

/** Lands and merges one batch of the drive; returns its key. */
async function drive(rows: WireObservation[], rules = DEFAULT_ALERT_RULES) {
  const batch = makeBatch({ deviceId: "dev-a", batchSeq: batchSeq++ }, rows);
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(db, { batch, payload: encoded.body, contentEncoding: "gzip", receivedAt: 1 });
  const key = { deviceId: "dev-a", runId: batch.runId, batchSeq: batch.batchSeq };
  await mergeBatch({ db, key, alertRules: rules });
  return key;
}

let seq = 0;
const wifi = (mac: string, fields: Partial<WireObservation>) =>
  sighting(++seq, mac, {
    ssid: "CorpNet",
    authMode: "WPA2",
    channel: 6,
    rssiDbm: -60,
    lat: 48.85,
    lon: 2.35,
    ...fields,
  });

const types = async () => (await listAlerts(db, { limit: 100 })).alerts.map((a) => a.type).sort();

describe("network alert rules in the merge", () => {
  it("raises an encryption downgrade on a known BSSID, with its evidence, once", async () => {
    await drive([wifi(AP, {})]);
    const key = await drive([wifi(AP, { authMode: "OPEN" }), wifi(AP, { authMode: "OPEN", rssiDbm: -50 })]);
    const [alert] = (await listAlerts(db, { limit: 10 })).alerts;
    expect(alert).toMatchObject({
      type: "encryption_downgrade",
      severity: "high",
      subject: { kind: "network", id: AP },
      ssid: "CorpNet",
      batch: key,
      evidence: { known: "WPA2", seen: "OPEN" },
    });
    expect((alert?.evidence as { sightings?: unknown[] } | undefined)?.sightings).toHaveLength(2);
    // replaying the batch (a second worker ran the whole merge again) raises nothing new
    await db.execute("UPDATE landed_batches SET status = 'landed'");
    await mergeBatch({ db, key });
    // and the same downgrade seen again in a later batch is the same condition
    await drive([wifi(AP, { authMode: "OPEN" })]);
    expect(await types()).toEqual(["encryption_downgrade"]);
  });

  it("does not call a transition-mode network reported without SAE a downgrade (one step)", async () => {
    await drive([wifi(AP, { authMode: "WPA2/WPA3" })]);
    await drive([
      wifi(AP, { authMode: "WPA2" }),
      wifi(AP, { authMode: "UNKNOWN" }),
      wifi(AP, { authMode: null }),
    ]);
    expect(await types()).toEqual([]);
  });

  it("raises SSID and channel changes on a known BSSID, not for a hidden beacon or a new BSSID", async () => {
    await drive([wifi(AP, {})]);
    await drive([wifi(AP, { ssid: "CorpNet-Free" }), wifi(AP, { ssid: null }), wifi(AP, { channel: 11 })]);
    expect(await types()).toEqual(["channel_change", "ssid_change"]);
    const ssid = (await listAlerts(db, { limit: 10, type: "ssid_change" })).alerts[0];
    expect(ssid?.evidence).toMatchObject({ known: "CorpNet", seen: "CorpNet-Free" });
  });

  it("a hotspot reconfigured (real: P4wnP1's iw scan of an Android AP) is no downgrade, and a randomized BSSID no change", async () => {
    // the fixture's 4e:66:41:a0:5b:35: "Android AP8905" WPA2 on 6, then "AndroidAP8905" open on 11
    const hotspot = "4e:66:41:a0:5b:35";
    await drive([wifi(hotspot, { ssid: "Android AP8905", authMode: "WPA2", channel: 6 })]);
    await drive([wifi(hotspot, { ssid: "AndroidAP8905", authMode: "OPEN", channel: 11 })]);
    expect(await types()).toEqual([]);
    // the same on a vendor-assigned BSSID is a rename and a move, still no downgrade: the name changed
    await drive([wifi(AP, { ssid: "Android AP8905", authMode: "WPA2", channel: 6 })]);
    await drive([wifi(AP, { ssid: "AndroidAP8905", authMode: "OPEN", channel: 11 })]);
    expect(await types()).toEqual(["channel_change", "ssid_change"]);
  });

  it("a hidden beacon of a known network with weaker auth is a downgrade of that network", async () => {
    await drive([wifi(AP, {})]);
    await drive([wifi(AP, { ssid: null, authMode: "WEP" })]);
    expect(await types()).toEqual(["encryption_downgrade"]);
  });

  it("raises an evil-twin candidate: a new BSSID, same SSID, weaker auth, a few hundred metres away", async () => {
    await drive([wifi(AP, {})]);
    await drive([
      wifi("bb:00:00:00:00:01", { authMode: "OPEN", lat: 48.851 }), // ~111 m north
      wifi("bb:00:00:00:00:02", { authMode: "OPEN", lat: 48.9 }), // ~5.6 km: not a twin
      wifi("bb:00:00:00:00:03", { authMode: "WPA3", lat: 48.8501 }), // stronger: not a twin
      wifi("bb:00:00:00:00:04", { authMode: "OPEN", ssid: "corpnet", lat: 48.8501 }), // another name
    ]);
    const alerts = (await listAlerts(db, { limit: 10 })).alerts;
    expect(alerts.map((a) => [a.type, a.subject.id])).toEqual([["evil_twin", "bb:00:00:00:00:01"]]);
    expect(alerts[0]?.evidence).toMatchObject({ known: AP, seen: "OPEN" });
  });

  it("raises a watchlist hit per entry and transmitter: MAC, OUI prefix, SSID, pattern", async () => {
    const mac = await addWatch(db, { type: "mac", value: "CC-CC-CC-00-00-01" });
    const oui = await addWatch(db, { type: "oui", value: "DDDDDD" });
    const ssid = await addWatch(db, { type: "ssid", value: "Pineapple" });
    const pattern = await addWatch(db, { type: "ssid_pattern", value: "*FREE*wifi*" });
    await drive([
      wifi("cc:cc:cc:00:00:01", {}),
      wifi("dd:dd:dd:11:22:33", {}),
      wifi("dd:dd:dd:11:22:34", {}),
      wifi("ee:00:00:00:00:01", { ssid: "Pineapple" }),
      wifi("ee:00:00:00:00:02", { ssid: "pineapple" }),
      wifi("ee:00:00:00:00:03", { ssid: "Airport free WiFi" }),
    ]);
    const hits = (await listAlerts(db, { limit: 10, type: "watchlist_hit" })).alerts;
    expect(hits.map((a) => [a.subject.id, (a.evidence as { known: string }).known]).sort()).toEqual(
      [
        ["cc:cc:cc:00:00:01", String(mac.id)],
        ["dd:dd:dd:11:22:33", String(oui.id)],
        ["dd:dd:dd:11:22:34", String(oui.id)],
        ["ee:00:00:00:00:01", String(ssid.id)],
        ["ee:00:00:00:00:03", String(pattern.id)],
      ].sort(),
    );
  });

  it("runs only the rules listed (PIWARDRIVE_ALERT_RULES)", async () => {
    const only = { ...DEFAULT_ALERT_RULES, only: ["channel_change" as const] };
    await drive([wifi(AP, {})], only);
    await drive([wifi(AP, { authMode: "OPEN", ssid: "x", channel: 1 })], only);
    expect(await types()).toEqual(["channel_change"]);
  });

  it("raises nothing with the rules off", async () => {
    const off = { ...DEFAULT_ALERT_RULES, enabled: false };
    await drive([wifi(AP, {})], off);
    await drive([wifi(AP, { authMode: "OPEN", ssid: "x", channel: 1 })], off);
    expect(await types()).toEqual([]);
  });
});
