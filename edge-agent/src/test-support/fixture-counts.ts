import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturePath, fixturesDir } from "./fixtures.js";

/*
 * What each real fixture holds, counted straight from its raw text with a regex or a JSON.parse per line,
 * never through the project's parsers: the import tests hold the importer to these numbers. Where a count
 * is a judgement (a probe-only "network" is not a network, an RTLAMR meter is not Wi-Fi) the rule is the
 * one PROVENANCE.md states for that file.
 */

export interface ExpectedImport {
  format: string;
  records: number;
  observations: number;
  wifiNetworks: number;
  btDevices: number;
  cells: number;
  gpsFixes: number;
  rejected: number;
}

const none = { observations: 0, wifiNetworks: 0, btDevices: 0, cells: 0, gpsFixes: 0, rejected: 0 };
const distinct = (values: Iterable<string>) => new Set([...values].map((v) => v.toLowerCase())).size;
const all = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1] ?? "");

/** Every fixture file, relative to the fixtures folder (PROVENANCE.md aside). */
export function allFixtures(): string[] {
  return readdirSync(fixturesDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== "PROVENANCE.md")
    .map((entry) => join(entry.parentPath, entry.name).slice(fixturesDir.length + 1))
    .sort();
}

/** The format a fixture is, by the folder and extension PROVENANCE.md files it under. */
export function fixtureFormat(relative: string): string {
  if (relative.startsWith("wigle-csv/")) return "wigle";
  if (relative.startsWith("iw-scan/")) return "iw";
  if (relative.startsWith("iwlist-scan/")) return "iwlist";
  if (relative.startsWith("nmcli/")) return "nmcli";
  if (relative.endsWith(".netxml")) return "netxml";
  if (relative.startsWith("kismet/")) return "kismet";
  if (relative.startsWith("gpsd-json/")) return "gpsd";
  if (relative.startsWith("nmea/")) return "nmea";
  if (relative.includes("btmgmt")) return "btmgmt";
  if (relative.includes("bluetoothctl")) return "bluetoothctl";
  throw new Error(`no format known for fixture ${relative}`);
}

export function expectedImport(relative: string): ExpectedImport {
  const format = fixtureFormat(relative);
  const text = readFileSync(fixturePath(relative), "latin1");
  const scan = (macs: string[], kind: "wifi" | "bt") => ({
    ...none,
    format,
    records: macs.length,
    observations: macs.length,
    [kind === "wifi" ? "wifiNetworks" : "btDevices"]: distinct(macs),
  });
  switch (format) {
    case "iw":
      return scan(all(text, /^BSS ([0-9a-fA-F:]{17})/gm), "wifi");
    case "iwlist":
      return scan(all(text, /Cell \d+ - Address: ([0-9A-Fa-f:]{17})/g), "wifi");
    case "nmcli":
      return scan(all(text, /((?:[0-9A-F]{2}:){5}[0-9A-F]{2})/g), "wifi");
    case "btmgmt":
      return scan(all(text, /dev_found: ([0-9A-Fa-f:]{17}) type /g), "bt");
    case "bluetoothctl":
      return scan(all(text, /^Device ([0-9A-Fa-f:]{17})/gm), "bt");
    case "wigle":
      return wigleCounts(text);
    case "netxml":
      return netxmlCounts(text);
    case "gpsd":
      return gpsdCounts(text);
    case "nmea":
      return nmeaCounts(text);
    default:
      // PROVENANCE.md: the .kismet log and the device record extracted from it each hold one device, an
      // RTLAMR meter / an RTLADSB aircraft, neither Wi-Fi nor Bluetooth: one record, refused.
      return { ...none, format, records: 1, rejected: 1 };
  }
}

/** Data rows are the lines after the pre-header and header; MAC is the first field and Type the last. */
function wigleCounts(text: string): ExpectedImport {
  const rows = text.split(/\r?\n/).filter((l) => l !== "" && !/^(WigleWifi-|MAC,)/.test(l));
  const macsOf = (types: RegExp) =>
    rows.filter((r) => types.test(r.slice(r.lastIndexOf(",") + 1))).map((r) => r.slice(0, r.indexOf(",")));
  return {
    ...none,
    format: "wigle",
    records: rows.length,
    observations: rows.length,
    wifiNetworks: distinct(macsOf(/^WIFI$/)),
    btDevices: distinct(macsOf(/^(BLE|BT)$/)),
    cells: distinct(macsOf(/^(GSM|LTE|WCDMA|CDMA|NR)$/)),
  };
}

/** One record per <wireless-network>; probe-only ones (a client's probes, no AP) are no network. */
function netxmlCounts(text: string): ExpectedImport {
  const networks = text.split("<wireless-network ").slice(1);
  const aps = networks.filter((n) => !/^[^>]*type="probe"/.test(n));
  const bssids = aps.map((n) => /<BSSID>([^<]+)<\/BSSID>/.exec(n)?.[1] ?? "");
  return {
    ...none,
    format: "netxml",
    records: networks.length,
    observations: aps.length,
    wifiNetworks: distinct(bssids),
    rejected: networks.length - aps.length,
  };
}

/** Each TPV line is a record; a fix needs mode >= 2, a time and a position; one fix per epoch. */
function gpsdCounts(text: string): ExpectedImport {
  const tpvs = text
    .split(/\r?\n/)
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((m) => m.class === "TPV");
  const epochs = new Set(
    tpvs
      .filter((t) => Number(t.mode) >= 2 && typeof t.time === "string")
      .filter((t) => Number.isFinite(t.lat) && Number.isFinite(t.lon))
      .map((t) => t.time as string),
  );
  return {
    ...none,
    format: "gpsd",
    records: tpvs.length,
    gpsFixes: epochs.size,
    rejected: tpvs.length - epochs.size,
  };
}

/**
 * Every sentence is a record; an epoch (time of day) has a fix when its GGA has quality >= 1 or its RMC
 * status A, with a latitude; both sentences of an epoch make one fix, unfixed GGA/RMC are refused.
 */
function nmeaCounts(text: string): ExpectedImport {
  // Every sentence is a record; blank lines, `#` comments and `!` (AIS) lines are not.
  const records = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !/^[#!]/.test(l.trim())).length;
  const sentences = text
    .split(/\r?\n/)
    .filter((l) => /^\$[A-Z]{2}(GGA|RMC),/.test(l))
    .map((l) => l.split(","));
  const fixed = (f: string[]) =>
    f[0]?.endsWith("GGA") ? Number(f[6]) >= 1 && f[2] !== "" : f[2] === "A" && f[3] !== "";
  const epochs = new Set(sentences.filter(fixed).map((f) => f[1] ?? ""));
  const unfixed = sentences.filter((f) => !epochs.has(f[1] ?? "")).length;
  return { ...none, format: "nmea", records, gpsFixes: epochs.size, rejected: unfixed };
}
