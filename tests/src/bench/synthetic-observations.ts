import {
  emptyObservation,
  type ObservationKind,
  type ObservationRecord,
} from "@piwardrive/shared-schema/domain";

/*
 * A deterministic, seeded drive: a car follows a winding road at city/suburban speed and scans once a
 * second. Transmitters stand beside the road (2 to 60 m off it); every scan reports the ones
 * within radio range, each with an RSSI from a log-distance path-loss model plus noise. Most transmitters
 * in range are far away, so RSSI is skewed towards the weak end (-95..-30 dBm). Each transmitter is seen
 * by a run of consecutive scans, as on a real drive, so a batch of 1,000 rows touches ~100 networks
 * (99 on average at seed 1, 300,000 rows). Long runs wrap round the road and see the same transmitters again.
 *
 * Transmitter attributes are derived from a hash of their index (nothing is kept per transmitter except
 * a small cache of the ones in range), so generating millions of rows costs no memory.
 */

export interface SyntheticDriveOptions {
  rows: number;
  seed?: number;
  /** Distinct transmitters along the road; defaults to distinctTransmittersFor(rows). */
  distinct?: number;
  /** Time of the first scan, ms since the epoch. */
  startMs?: number;
}

/** 5k distinct transmitters for small runs, one per 20 rows in between, 50k from 1M rows up. */
export function distinctTransmittersFor(rows: number): number {
  return Math.min(50_000, Math.max(5_000, Math.round(rows / 20)));
}

const SPEED_MPS = 12;
const SCAN_MS = 1000;
const RANGE_M = 150;
/** Road metres per transmitter: about 50 in range per scan. */
const SPACING_M = (2 * RANGE_M) / 50;
const PATH_STEP_M = 50;
const M_PER_DEG_LAT = 111_320;

const OUIS = [
  "00:1a:2b", // Ayecom
  "00:1b:54", // Cisco
  "50:c7:bf", // TP-Link
  "a0:40:a0", // Netgear
  "24:a4:3c", // Ubiquiti
  "f0:9f:c2", // Ubiquiti
  "c8:3a:35", // Tenda
  "00:24:a5", // Buffalo
  "3c:84:6a", // TP-Link
  "e8:94:f6", // TP-Link
  "b0:be:76", // TP-Link
  "64:d1:54", // Routerboard (MikroTik)
  "d8:47:32", // TP-Link
  "00:0f:b5", // Netgear
] as const;

/** [auth mode, capability string as WiGLE writes it, cumulative weight]. */
const SECURITY: ReadonlyArray<readonly [string, string, number]> = [
  ["OPEN", "[ESS]", 0.09],
  ["WEP", "[WEP][ESS]", 0.11],
  ["WPA", "[WPA-PSK-TKIP][ESS]", 0.14],
  ["WPA/WPA2", "[WPA-PSK-CCMP+TKIP][WPA2-PSK-CCMP+TKIP][ESS][WPS]", 0.22],
  ["WPA2", "[WPA2-PSK-CCMP][ESS]", 0.78],
  ["WPA2/WPA3", "[WPA2-PSK+SAE-CCMP][ESS]", 0.88],
  ["WPA3", "[RSN-SAE-CCMP][ESS]", 0.94],
  ["WPA2-EAP", "[WPA2-EAP-CCMP][ESS]", 0.98],
  ["OWE", "[RSN-OWE-CCMP][ESS]", 1],
];

const CHANNELS_24 = [1, 6, 11, 1, 6, 11, 1, 6, 11, 3, 4, 9, 13] as const;
const CHANNELS_5 = [36, 40, 44, 48, 52, 56, 60, 64, 100, 112, 116, 132, 149, 153, 157, 161, 165] as const;
const SSID_STEMS = [
  "TP-Link_",
  "NETGEAR",
  "HOME-",
  "Telstra",
  "Optus_",
  "Vodafone-",
  "iiNet",
  "Linksys",
  "ASUS_",
  "dlink-",
] as const;
const SHARED_SSIDS = [
  "xfinitywifi",
  "eduroam",
  "Free Public WiFi",
  "McDonald's Free WiFi",
  "Café Wi‑Fi",
] as const;
const BLE_NAMES = [
  "JBL Flip 5",
  "Galaxy Buds2",
  "[TV] Samsung",
  "Mi Band 6",
  "Tile",
  "Forerunner 255",
] as const;
const BLE_MFGR = [76, 117, 6, 89, 224, 135] as const;

/** 32-bit mix (murmur3 finaliser) of a seed, an index and a salt. */
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

/** mulberry32: small, fast, good enough for noise. */
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

interface Transmitter {
  /** Position along the (unwrapped) road and distance off it, metres. */
  along: number;
  offset: number;
  txPowerDbm: number;
  template: ObservationRecord;
}

function makeTransmitter(seed: number, index: number, virtual: number): Transmitter {
  const h = (salt: number) => hash(seed, index, salt);
  // Odd multiplier mod 2^24 is a bijection: the low 24 bits are unique per index, so every MAC is distinct.
  const low = (Math.imul(index, 0x2c1b3c6d) ^ seed) & 0xffffff;
  const lowMac = `${hex(low >>> 16, 2)}:${hex((low >>> 8) & 0xff, 2)}:${hex(low & 0xff, 2)}`;
  const isBle = unit(h(1)) < 0.04;
  const kind: ObservationKind = isBle ? "ble" : "wifi";
  let record: ObservationRecord;
  if (isBle) {
    const first = 0xc0 | (h(2) & 0x3f); // static random address
    const name = unit(h(3)) < 0.5 ? (BLE_NAMES[h(4) % BLE_NAMES.length] ?? null) : null;
    record = blank(
      kind,
      `${hex(first, 2)}:${hex(h(5) & 0xff, 2)}:${hex(h(6) & 0xff, 2)}:${lowMac}`,
      "btmgmt",
    );
    record.ssid = name;
    record.mfgrId = BLE_MFGR[h(7) % BLE_MFGR.length] ?? null;
    record.capabilities = "Misc [LE]";
  } else {
    const oui = OUIS[h(2) % OUIS.length] ?? OUIS[0];
    record = blank(kind, `${oui}:${lowMac}`, "iw");
    const u = unit(h(3));
    const security = SECURITY.find(([, , cumulative]) => u < cumulative) ?? SECURITY[4]!;
    record.authMode = security[0];
    record.capabilities = security[1];
    record.ssid = ssidFor(h);
    const fiveGhz = unit(h(4)) < 0.35;
    if (fiveGhz) {
      const channel = CHANNELS_5[h(5) % CHANNELS_5.length] ?? 36;
      record.channel = channel;
      record.frequencyMhz = 5000 + 5 * channel;
    } else {
      const channel = CHANNELS_24[h(5) % CHANNELS_24.length] ?? 6;
      record.channel = channel;
      record.frequencyMhz = 2407 + 5 * channel;
    }
  }
  return {
    along: (virtual + unit(h(8))) * SPACING_M,
    offset: (unit(h(9)) < 0.5 ? -1 : 1) * (2 + 58 * unit(h(10))),
    txPowerDbm: -20 - (h(11) % 11),
    template: record,
  };
}

function ssidFor(h: (salt: number) => number): string | null {
  const u = unit(h(12));
  if (u < 0.09) return null; // hidden
  if (u < 0.16) return SHARED_SSIDS[h(13) % SHARED_SSIDS.length] ?? "xfinitywifi";
  if (u < 0.19) return `DIRECT-${hex(h(14) & 0xff, 2).toUpperCase()}-HP OfficeJet Pro`;
  if (u < 0.22) return `${["Bob", "Priya", "Kenji", "Zoë"][h(14) % 4]}'s iPhone`;
  const stem = SSID_STEMS[h(13) % SSID_STEMS.length] ?? "HOME-";
  return `${stem}${hex(h(14) & 0xffff, 4).toUpperCase()}`;
}

function blank(kind: ObservationKind, mac: string, source: string): ObservationRecord {
  return emptyObservation({ kind, mac, seenAt: 0, source });
}

/** A winding road: heading drifts a little every 50 m. Returns lat/lon at a road position (wrapping). */
function makeRoad(seed: number, lengthM: number): (along: number) => [number, number] {
  const points = Math.max(2, Math.ceil(lengthM / PATH_STEP_M) + 1);
  const lat = new Float64Array(points);
  const lon = new Float64Array(points);
  const rand = prng(seed ^ 0x5eed);
  lat[0] = -33.87;
  lon[0] = 151.21;
  let heading = rand() * 2 * Math.PI;
  for (let p = 1; p < points; p++) {
    heading += (rand() - 0.5) * 0.35;
    const prevLat = lat[p - 1] ?? 0;
    lat[p] = prevLat + (Math.cos(heading) * PATH_STEP_M) / M_PER_DEG_LAT;
    lon[p] =
      (lon[p - 1] ?? 0) +
      (Math.sin(heading) * PATH_STEP_M) / (M_PER_DEG_LAT * Math.cos((prevLat * Math.PI) / 180));
  }
  return (along) => {
    const s = ((along % lengthM) + lengthM) % lengthM;
    const p = Math.min(points - 2, Math.floor(s / PATH_STEP_M));
    const f = s / PATH_STEP_M - p;
    const a0 = lat[p] ?? 0;
    const o0 = lon[p] ?? 0;
    return [a0 + ((lat[p + 1] ?? a0) - a0) * f, o0 + ((lon[p + 1] ?? o0) - o0) * f];
  };
}

/** Yields `rows` sightings in time order (strictly increasing seenAt). */
export function* syntheticObservations(options: SyntheticDriveOptions): Generator<ObservationRecord> {
  const seed = options.seed ?? 1;
  const distinct = options.distinct ?? distinctTransmittersFor(options.rows);
  const roadLength = distinct * SPACING_M;
  const road = makeRoad(seed, roadLength);
  const rand = prng(seed);
  const noise = () => (rand() + rand() + rand() + rand() - 2) * 2.5; // ~N(0, 1.45^2 * 2.5^2)
  const inRange = new Map<number, Transmitter>();
  let emitted = 0;
  let scanAt = options.startMs ?? Date.UTC(2025, 5, 1, 8, 0, 0);
  let car = 0;
  while (emitted < options.rows) {
    const [carLat, carLon] = road(car);
    const altitude = 40 + 15 * Math.sin(car / 3000) + noise() * 0.3;
    const accuracy = Math.round((3 + rand() * 7) * 10) / 10;
    const first = Math.floor((car - RANGE_M) / SPACING_M) - 1;
    const last = Math.ceil((car + RANGE_M) / SPACING_M) + 1;
    for (const key of inRange.keys()) if (key < first) inRange.delete(key);
    let offsetMs = 0;
    for (let v = first; v <= last && emitted < options.rows; v++) {
      let t = inRange.get(v);
      if (t === undefined) {
        t = makeTransmitter(seed, ((v % distinct) + distinct) % distinct, v);
        inRange.set(v, t);
      }
      const d = Math.max(1, Math.hypot(t.along - car, t.offset));
      if (d > RANGE_M || rand() > 0.97 - (0.45 * d) / RANGE_M) continue;
      const rssi = Math.round(t.txPowerDbm - 30 * Math.log10(d) + noise());
      if (rssi < -95) continue;
      offsetMs += 1 + Math.floor(rand() * 8);
      emitted += 1;
      yield {
        ...t.template,
        seenAt: scanAt + offsetMs,
        rssiDbm: Math.min(-30, rssi),
        lat: Math.round((carLat + noise() * 2e-6) * 1e7) / 1e7,
        lon: Math.round((carLon + noise() * 2e-6) * 1e7) / 1e7,
        altitudeM: Math.round(altitude * 10) / 10,
        accuracyM: accuracy,
      };
    }
    scanAt += SCAN_MS;
    car += (SPEED_MPS + (rand() - 0.5) * 4) * (SCAN_MS / 1000);
  }
}

/** Groups an iterable into arrays of at most `size` items (the last may be shorter). */
export function* inChunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
