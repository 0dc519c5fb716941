import { rssiWeight } from "@piwardrive/shared-schema";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { landAndMerge, wigleDriveSightings } from "../test-support/merged-batches.js";
import { openTempDb } from "../test-support/test-cloud.js";
import { isLocallyAdministered, vendorOf } from "./oui-vendor.js";

let temp: Awaited<ReturnType<typeof openTempDb>>;
beforeEach(async () => {
  temp = await openTempDb();
});
afterEach(() => temp.cleanup());

const DAY = 86_400_000;

/** The estimate recomputed from scratch over every sighting (two-pass, no increments): the reference. */
function reference(rows: WireObservation[], devices: number) {
  const w = rows.map((r) => rssiWeight(r.rssiDbm));
  const W = w.reduce((a, b) => a + b, 0);
  const lat = rows.reduce((s, r, i) => s + (w[i] ?? 0) * (r.lat ?? 0), 0) / W;
  const lon = rows.reduce((s, r, i) => s + (w[i] ?? 0) * (r.lon ?? 0), 0) / W;
  const m2lat = rows.reduce((s, r, i) => s + (w[i] ?? 0) * ((r.lat ?? 0) - lat) ** 2, 0);
  const m2lon = rows.reduce((s, r, i) => s + (w[i] ?? 0) * ((r.lon ?? 0) - lon) ** 2, 0);
  const radius = Math.sqrt(
    (m2lat / W) * 111320 ** 2 + (m2lon / W) * (111320 * Math.cos((lat * Math.PI) / 180)) ** 2,
  );
  const days = new Set(rows.map((r) => Math.floor(r.seenAt / DAY))).size;
  const n = rows.length;
  const confidence =
    Number(n >= 3) +
    Number(n >= 10) +
    Number(days >= 2) +
    Number(days >= 7) +
    Number(devices >= 2) +
    Number(devices >= 3) +
    Number(n >= 3 && radius <= 100);
  return { lat, lon, radius, confidence, days };
}

async function network(mac: string) {
  const rs = await temp.db.execute({ sql: "SELECT * FROM networks WHERE mac = ?", args: [mac] });
  return rs.rows[0];
}

const BANOT = "a0:4f:d4:3b:fb:a1";

describe("network estimates on the real WiGLE drive", () => {
  it("matches the recomputed centroid, radius and confidence whatever the batch split", async () => {
    const drive = wigleDriveSightings();
    // Device A drives it in two batches; device B drives it again one and three days later.
    await landAndMerge(temp.db, { deviceId: "dev-a", batchSeq: 0 }, drive.slice(0, 8));
    await landAndMerge(temp.db, { deviceId: "dev-a", batchSeq: 1 }, drive.slice(8));
    const again = wigleDriveSightings(DAY);
    const later = wigleDriveSightings(3 * DAY, 100);
    await landAndMerge(temp.db, { deviceId: "dev-b", batchSeq: 0 }, [...again, ...later]);
    const all = [...drive, ...again, ...later].filter((o) => o.mac === BANOT);
    const ref = reference(all, 2);
    const row = await network(BANOT);
    expect(Number(row?.observation_count)).toBe(6);
    expect(Number(row?.lat)).toBeCloseTo(ref.lat, 10);
    expect(Number(row?.lon)).toBeCloseTo(ref.lon, 10);
    expect(Number(row?.radius_m)).toBeCloseTo(ref.radius, 6);
    expect(Number(row?.day_count)).toBe(3);
    expect(Number(row?.confidence)).toBe(ref.confidence);
    // 6 sightings (1), 3 days (1), 2 devices (1), radius a few metres with >= 3 sightings (1).
    expect(ref.radius).toBeLessThan(100);
    expect(ref.confidence).toBe(4);
    expect([Number(row?.best_rssi_dbm), Number(row?.best_lat)]).toEqual([-40, 32.1018979]);
  });

  it("hand-computed radius of Banot's two sightings on the first drive", async () => {
    await landAndMerge(temp.db, { deviceId: "dev-a" }, wigleDriveSightings());
    // Weights 10^-4.5 (at -45 dBm) and 10^-4 (-40 dBm); the radius is sqrt(w1 w2 / W^2 * d^2) per axis.
    const w1 = 10 ** -4.5;
    const w2 = 10 ** -4;
    const dLat = 32.1018979 - 32.10178256034851;
    const dLon = 35.20511723 - 35.20535588264465;
    const lat = (w1 * 32.10178256034851 + w2 * 32.1018979) / (w1 + w2);
    const share = (w1 * w2) / (w1 + w2) ** 2;
    const radius = Math.sqrt(
      share * (dLat * 111320) ** 2 + share * (dLon * 111320 * Math.cos((lat * Math.PI) / 180)) ** 2,
    );
    const row = await network(BANOT);
    expect(Number(row?.radius_m)).toBeCloseTo(radius, 6);
    expect(radius).toBeGreaterThan(10); // ~12 m: the two fixes are ~26 m apart, the stronger one pulls
    expect(Number(row?.confidence)).toBe(0); // 2 sightings, 1 day, 1 device
  });

  it("keeps SSID history, vendor and the randomized flag", async () => {
    const drive = wigleDriveSightings();
    await landAndMerge(temp.db, { deviceId: "dev-a" }, drive);
    const renamed = wigleDriveSightings(DAY, 50).map((o) =>
      o.mac === BANOT ? { ...o, ssid: "Banot-5G", channel: 36 } : o,
    );
    await landAndMerge(temp.db, { deviceId: "dev-a", runId: "run-2" }, renamed);
    const history = await temp.db.execute({
      sql: "SELECT ssid, auth_mode, channel, count FROM ssid_history WHERE mac = ? ORDER BY first_seen",
      args: [BANOT],
    });
    expect(history.rows.map((r) => [r.ssid, r.auth_mode, r.channel, r.count])).toEqual([
      ["Banot", "WPA2", 1, 2],
      ["Banot-5G", "WPA2", 36, 2],
    ]);
    const row = await network(BANOT);
    expect(row?.vendor).toBe(vendorOf(BANOT));
    expect(String(row?.vendor).length).toBeGreaterThan(2);
    expect(Number(row?.randomized)).toBe(0);
    const local = await network("52:ee:0c:3b:4a:ec"); // "Bezeq Free": 0x52 has the local bit
    expect([Number(local?.randomized), local?.vendor]).toEqual([1, null]);
    expect((await network("42501_7211_3084803"))?.vendor).toBeNull(); // a GSM cell id, not a MAC
  });

  it("a replayed batch leaves every aggregate unchanged", async () => {
    const drive = wigleDriveSightings();
    await landAndMerge(temp.db, { deviceId: "dev-a" }, drive);
    const tables = [
      "networks",
      "network_devices",
      "network_days",
      "ssid_history",
      "network_history",
      "merge_generation",
    ];
    const dump = async () =>
      Promise.all(
        tables.map(async (t) =>
          JSON.stringify((await temp.db.execute(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows),
        ),
      );
    const before = await dump();
    // The same sightings in a new batch key (a resend under another batch_seq) insert nothing.
    await landAndMerge(temp.db, { deviceId: "dev-a", batchSeq: 7 }, drive);
    expect(await dump()).toEqual(before);
  });
});

describe("vendorOf", () => {
  it("takes the longest registered prefix and skips locally administered MACs", async () => {
    const { createRequire } = await import("node:module");
    const raw = createRequire(import.meta.url)("oui-data") as Record<string, string>;
    const masS = Object.keys(raw).find((k) => k.length === 9) ?? "";
    const mac = `${masS}000`.match(/../g)?.join(":") ?? "";
    expect(vendorOf(mac)).toBe(raw[masS]?.split("\n")[0]?.trim());
    expect(vendorOf("00:00:0c:12:34:56")).toMatch(/cisco/i);
    expect(isLocallyAdministered("02:00:00:00:00:01")).toBe(true);
    expect(vendorOf("02:00:0c:12:34:56")).toBeNull();
  });
});
