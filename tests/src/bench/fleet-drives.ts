import type { WireObservation } from "@piwardrive/shared-schema/wire";

/*
 * A seeded fleet for the analyst benchmarks: `devices` cars drive a square city of streets 100 m apart
 * (a grid of blocks, like a city centre), scanning once a second at ~12 m/s and turning at some
 * crossings. Transmitters stand along every block (PER_BLOCK per 100 m of street, 2-40 m off it), so
 * cars share what they see where their drives cross; a transmitter is seen by the scans within RANGE_M.
 * The city's side grows with the requested size so there are ~one transmitter per 10 sightings seen.
 * Each car drives in sessions of SESSION_SCANS scans on different days. Nothing is kept per transmitter:
 * its index is its block and slot, its attributes a hash of the index, so any size costs no memory.
 */

export interface FleetOptions {
  observations: number;
  devices: number;
  seed: number;
}

export const FLEET_GENERATOR_VERSION = 2;

/**
 * Transmitters the city holds per requested sighting. The drives see only part of the city (random walks
 * cross their own tracks), so the city holds more than the ~1 per 10 sightings wanted. Distinct MACs of
 * deviceDrive over 20 devices x 500,000 rows (10,000,000 sightings, seed 1; bench:analyst prints the
 * same as its `networks` line): 1/4 (version 1) 664,087, 1/2 899,330, 1/1.5 1,025,817.
 */
const TRANSMITTERS_PER_SIGHTING = 1 / 1.5;

const BLOCK_M = 100;
const PER_BLOCK = 8;
const RANGE_M = 100;
const SPEED_MPS = 12;
const SESSION_SCANS = 3600;
const LAT0 = -33.95;
const LON0 = 151.05;
const M_PER_DEG_LAT = 111_320;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((LAT0 * Math.PI) / 180);
export const FLEET_START_MS = Date.UTC(2026, 5, 1);

const OUIS = ["00:1b:54", "50:c7:bf", "a0:40:a0", "24:a4:3c", "f0:9f:c2", "c8:3a:35", "3c:84:6a", "64:d1:54"];
const AUTH: ReadonlyArray<readonly [string, number]> = [
  ["OPEN", 0.09],
  ["WEP", 0.11],
  ["WPA", 0.14],
  ["WPA/WPA2", 0.22],
  ["WPA2", 0.8],
  ["WPA2/WPA3", 0.9],
  ["WPA3", 1],
];
const STEMS = ["TP-Link_", "NETGEAR", "HOME-", "Telstra", "Optus_", "Vodafone-", "iiNet", "Linksys", "ASUS_"];
const SHARED = ["xfinitywifi", "eduroam", "Free Public WiFi", "McDonald's Free WiFi"];
const CH24 = [1, 6, 11, 1, 6, 11, 3, 9];
const CH5 = [36, 40, 44, 48, 100, 112, 149, 153, 157, 161];

function hash(seed: number, i: number, salt: number): number {
  let h = Math.imul(seed ^ Math.imul(i, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
const unit = (h: number) => h / 4294967296;
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The city for a fleet: `streets` per direction, each `streets - 1` blocks long. */
export interface City {
  streets: number;
  sideM: number;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
}

export function cityFor(options: FleetOptions): City {
  const transmitters = options.observations * TRANSMITTERS_PER_SIGHTING;
  const streets = Math.max(4, Math.round(Math.sqrt(transmitters / (2 * PER_BLOCK))) + 1);
  const sideM = (streets - 1) * BLOCK_M;
  return { streets, sideM, bbox: [LON0, LAT0, LON0 + sideM / M_PER_DEG_LON, LAT0 + sideM / M_PER_DEG_LAT] };
}

export const toLatLon = (x: number, y: number): [number, number] => [
  LAT0 + y / M_PER_DEG_LAT,
  LON0 + x / M_PER_DEG_LON,
];

interface Transmitter {
  x: number;
  y: number;
  txPowerDbm: number;
  fields: Omit<WireObservation, "seq" | "seenAt" | "rssiDbm" | "lat" | "lon" | "altitudeM" | "accuracyM">;
}

/** Transmitter `index` = ((orientation * streets + street) * blocks + block) * PER_BLOCK + slot. */
function transmitter(seed: number, city: City, index: number): Transmitter {
  const h = (salt: number) => hash(seed, index, salt);
  const blocks = city.streets - 1;
  const block = Math.floor(index / PER_BLOCK) % blocks;
  const street = Math.floor(index / PER_BLOCK / blocks) % city.streets;
  const horizontal = index < city.streets * blocks * PER_BLOCK;
  const along = block * BLOCK_M + unit(h(1)) * BLOCK_M;
  const off = street * BLOCK_M + (unit(h(2)) < 0.5 ? -1 : 1) * (2 + 38 * unit(h(3)));
  const low = (Math.imul(index, 0x2c1b3c6d) ^ seed) & 0xffffff;
  const lowMac = `${hex(low >>> 16, 2)}:${hex((low >>> 8) & 0xff, 2)}:${hex(low & 0xff, 2)}`;
  const ble = unit(h(4)) < 0.04;
  const base = {
    rssiEstimated: false,
    rcois: null,
    capabilities: null,
  };
  let fields: Transmitter["fields"];
  if (ble) {
    fields = {
      ...base,
      kind: "ble",
      mac: `${hex(0xc0 | (h(5) & 0x3f), 2)}:${hex(h(6) & 0xff, 2)}:${hex(h(7) & 0xff, 2)}:${lowMac}`,
      ssid: unit(h(8)) < 0.5 ? `Buds-${hex(h(9) & 0xff, 2)}` : null,
      authMode: null,
      channel: null,
      frequencyMhz: null,
      mfgrId: 76,
      source: "btmgmt",
    };
  } else {
    const u = unit(h(10));
    const five = unit(h(11)) < 0.35;
    const channel = five ? (CH5[h(12) % CH5.length] ?? 36) : (CH24[h(12) % CH24.length] ?? 6);
    fields = {
      ...base,
      kind: "wifi",
      mac: `${OUIS[h(13) % OUIS.length]}:${lowMac}`,
      ssid: ssidFor(h),
      authMode: AUTH.find(([, c]) => u < c)?.[0] ?? "WPA2",
      channel,
      frequencyMhz: five ? 5000 + 5 * channel : 2407 + 5 * channel,
      mfgrId: null,
      source: "iw",
    };
  }
  return {
    x: horizontal ? along : off,
    y: horizontal ? off : along,
    txPowerDbm: -20 - (h(14) % 11),
    fields,
  };
}

function ssidFor(h: (salt: number) => number): string | null {
  const u = unit(h(15));
  if (u < 0.09) return null;
  if (u < 0.14) return SHARED[h(16) % SHARED.length] ?? "eduroam";
  return `${STEMS[h(16) % STEMS.length]}${hex(h(17) & 0xffff, 4).toUpperCase()}`;
}

/** The indexes of the transmitters on the blocks around a point (its block and the 8 around it). */
function* nearby(city: City, x: number, y: number): Generator<number> {
  const blocks = city.streets - 1;
  const bx = Math.floor(x / BLOCK_M);
  const by = Math.floor(y / BLOCK_M);
  for (let o = 0; o < 2; o++) {
    const [along, across] = o === 0 ? [bx, by] : [by, bx];
    for (let street = across - 1; street <= across + 2; street++) {
      if (street < 0 || street >= city.streets) continue;
      for (let block = along - 1; block <= along + 1; block++) {
        if (block < 0 || block >= blocks) continue;
        const first = ((o * city.streets + street) * blocks + block) * PER_BLOCK;
        for (let slot = 0; slot < PER_BLOCK; slot++) yield first + slot;
      }
    }
  }
}

/** One device's sightings in time order: `rows` of them, seqs from 1. */
export function* deviceDrive(
  options: FleetOptions,
  device: number,
  rows: number,
): Generator<WireObservation> {
  const city = cityFor(options);
  const rand = prng(hash(options.seed, device, 99));
  const noise = () => (rand() + rand() + rand() + rand() - 2) * 2.5;
  const cache = new Map<number, Transmitter>();
  // On a street: horizontal (y fixed) or vertical (x fixed), moving +1 or -1 along it.
  let horizontal = rand() < 0.5;
  let street = Math.floor(rand() * city.streets);
  let pos = rand() * city.sideM;
  let dir = rand() < 0.5 ? 1 : -1;
  let seq = 0;
  let session = 0;
  let scan = 0;
  let sessionStart = 0;
  const startSession = () => {
    const day = (device * 3 + session * 5) % 28;
    sessionStart = FLEET_START_MS + day * 86_400_000 + (8 + (session % 10)) * 3_600_000 + device * 60_000;
    scan = 0;
  };
  startSession();
  while (seq < rows) {
    const x = horizontal ? pos : street * BLOCK_M;
    const y = horizontal ? street * BLOCK_M : pos;
    const [lat, lon] = toLatLon(x, y);
    const scanAt = sessionStart + scan * 1000;
    let offsetMs = 0;
    for (const index of nearby(city, x, y)) {
      if (seq >= rows) break;
      let t = cache.get(index);
      if (t === undefined) {
        t = transmitter(options.seed, city, index);
        cache.set(index, t);
      }
      const d = Math.max(1, Math.hypot(t.x - x, t.y - y));
      if (d > RANGE_M || rand() > 0.65 - (0.45 * d) / RANGE_M) continue;
      const rssi = Math.round(t.txPowerDbm - 30 * Math.log10(d) + noise());
      if (rssi < -95) continue;
      offsetMs += 1 + Math.floor(rand() * 8);
      seq += 1;
      yield {
        ...t.fields,
        seq,
        seenAt: scanAt + offsetMs,
        rssiDbm: Math.min(-30, rssi),
        lat: Math.round((lat + noise() * 2e-6) * 1e7) / 1e7,
        lon: Math.round((lon + noise() * 2e-6) * 1e7) / 1e7,
        altitudeM: 30,
        accuracyM: Math.round((3 + rand() * 7) * 10) / 10,
      };
    }
    if (cache.size > 20_000) cache.clear();
    // Drive on; at a crossing turn one time in three (onto the crossing street, either way).
    const before = Math.floor(pos / BLOCK_M);
    pos += dir * (SPEED_MPS + (rand() - 0.5) * 4);
    if (pos < 0 || pos > city.sideM) {
      dir = -dir;
      pos = Math.min(city.sideM, Math.max(0, pos));
    } else if (Math.floor(pos / BLOCK_M) !== before && rand() < 1 / 3) {
      const crossing = Math.round(pos / BLOCK_M);
      pos = street * BLOCK_M;
      street = Math.min(city.streets - 1, crossing);
      horizontal = !horizontal;
      dir = rand() < 0.5 ? 1 : -1;
    }
    scan += 1;
    if (scan >= SESSION_SCANS) {
      session += 1;
      startSession();
    }
  }
}
