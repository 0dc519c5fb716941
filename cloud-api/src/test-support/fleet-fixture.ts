import { rssiWeight } from "@piwardrive/shared-schema";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { vendorOf } from "../analyst/oui-vendor.js";
import { sighting, T0 } from "./batches.js";

/*
 * A small synthetic fleet for search tests, and the reference view of it computed in plain JS from the
 * sightings alone (no SQL), so every filter and sort can be checked against something independent.
 */

const PREFIXES = ["00:00:0c", "a0:4f:d4", "14:ae:db", "52:ee:0c"];
const AUTHS = ["WPA2", "OPEN", "WPA3", "WEP", "WPA2/WPA3"];
const CHANNELS: [number, number][] = [
  [1, 2412],
  [6, 2437],
  [11, 2462],
  [36, 5180],
  [149, 5745],
  [37, 6135],
];

export interface Merged {
  observation: WireObservation;
  deviceId: string;
  mergedAt: number;
}

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fleetMac(i: number): string {
  const prefix = PREFIXES[i % PREFIXES.length] ?? "00:00:0c";
  return `${prefix}:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}:01`;
}

/** Descriptive fields are fixed per network so "latest" is unambiguous. */
export function fleetSighting(seq: number, i: number, seenAt: number, random: () => number): WireObservation {
  const [channel, frequencyMhz] = CHANNELS[i % CHANNELS.length] ?? [1, 2412];
  return sighting(seq, fleetMac(i), {
    kind: i % 7 === 0 ? "ble" : "wifi",
    ssid: i % 11 === 0 ? null : i % 3 === 0 ? `Cafe-${i % 5}` : `shop ${i}`,
    authMode: AUTHS[i % AUTHS.length] ?? "WPA2",
    channel,
    frequencyMhz,
    seenAt,
    rssiDbm: -30 - Math.floor(random() * 60),
    lat: -33.8 + (i % 10) * 0.01 + random() * 1e-4,
    lon: 151.2 + Math.floor(i / 10) * 0.01 + random() * 1e-4,
  });
}

export interface ReferenceNetwork {
  mac: string;
  kind: string;
  ssid: string | null;
  authMode: string | null;
  channel: number | null;
  frequencyMhz: number | null;
  vendor: string | null;
  lastSeen: number;
  bestRssi: number | null;
  lat: number;
  lon: number;
  confidence: number;
  devices: Set<string>;
  updatedAt: number;
}

export function referenceNetworks(merged: readonly Merged[]): Map<string, ReferenceNetwork> {
  const groups = new Map<string, Merged[]>();
  for (const m of merged) groups.set(m.observation.mac, [...(groups.get(m.observation.mac) ?? []), m]);
  const out = new Map<string, ReferenceNetwork>();
  for (const [mac, rows] of groups) {
    const obs = rows.map((r) => r.observation);
    const w = obs.map((o) => rssiWeight(o.rssiDbm));
    const W = w.reduce((a, b) => a + b, 0);
    const lat = obs.reduce((s, o, k) => s + (w[k] ?? 0) * (o.lat ?? 0), 0) / W;
    const lon = obs.reduce((s, o, k) => s + (w[k] ?? 0) * (o.lon ?? 0), 0) / W;
    const m2lat = obs.reduce((s, o, k) => s + (w[k] ?? 0) * ((o.lat ?? 0) - lat) ** 2, 0);
    const m2lon = obs.reduce((s, o, k) => s + (w[k] ?? 0) * ((o.lon ?? 0) - lon) ** 2, 0);
    const radius = Math.sqrt(
      (m2lat / W) * 111320 ** 2 + (m2lon / W) * (111320 * Math.cos((lat * Math.PI) / 180)) ** 2,
    );
    const days = new Set(obs.map((o) => Math.floor(o.seenAt / 86_400_000))).size;
    const devices = new Set(rows.map((r) => r.deviceId));
    const n = obs.length;
    const first = obs[0] as WireObservation;
    const rssis = obs.map((o) => o.rssiDbm).filter((r): r is number => r !== null);
    out.set(mac, {
      mac,
      kind: first.kind,
      ssid: first.ssid,
      authMode: first.authMode,
      channel: first.channel,
      frequencyMhz: first.frequencyMhz,
      vendor: vendorOf(mac),
      lastSeen: Math.max(...obs.map((o) => o.seenAt)),
      bestRssi: rssis.length === 0 ? null : Math.max(...rssis),
      lat,
      lon,
      confidence:
        Number(n >= 3) +
        Number(n >= 10) +
        Number(days >= 2) +
        Number(days >= 7) +
        Number(devices.size >= 2) +
        Number(devices.size >= 3) +
        Number(n >= 3 && radius <= 100),
      devices,
      updatedAt: Math.max(...rows.map((r) => r.mergedAt)),
    });
  }
  return out;
}

export const FLEET_T0 = T0;
