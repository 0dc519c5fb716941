import { cityFor, type FleetOptions, toLatLon } from "./fleet-drives.js";

/*
 * The analyst benchmarks' query parameters over a fleet city (bench:analyst over HTTP, bench:analyst-service
 * in-process): random boxes and SSID prefixes from one seeded PRNG, so runs ask the same things.
 */

/** The SSID stems of fleet-drives.ts: a stem plus two hex digits is a prefix a few hundred networks share. */
const STEMS = ["TP-Link_", "NETGEAR", "HOME-", "Telstra", "Optus_", "Vodafone-", "iiNet", "Linksys", "ASUS_"];

export interface AnalystQueries {
  random: () => number;
  /** `minLon,minLat,maxLon,maxLat` of a random square of `sideM` metres inside the city. */
  box: (sideM: number) => string;
  /** A random stem plus two hex digits. */
  ssidPrefix: () => string;
}

export function analystQueries(fleet: FleetOptions): AnalystQueries {
  let state = fleet.seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const city = cityFor(fleet);
  const box = (sideM: number) => {
    const x = random() * Math.max(0, city.sideM - sideM);
    const y = random() * Math.max(0, city.sideM - sideM);
    const [minLat, minLon] = toLatLon(x, y);
    const [maxLat, maxLon] = toLatLon(x + sideM, y + sideM);
    return [minLon, minLat, maxLon, maxLat].map((v) => v.toFixed(5)).join(",");
  };
  const hex2 = () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, "0")
      .toUpperCase();
  const ssidPrefix = () => `${STEMS[Math.floor(random() * STEMS.length)] ?? ""}${hex2()}`;
  return { random, box, ssidPrefix };
}
