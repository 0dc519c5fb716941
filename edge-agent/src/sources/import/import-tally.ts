import type { GpsFixRecord, ObservationKind, ObservationRecord } from "@piwardrive/shared-schema/domain";
import type { Format } from "./format-names.js";

/** What one import read and stored, as the CLI reports it per file. */
export interface ImportSummary {
  path: string;
  format: Format;
  /** Data records read (each yields observations, a fix, or a reject). */
  records: number;
  /** Sightings stored (with an interrupted import resumed: those stored by both runs). */
  observations: number;
  /** Distinct BSSIDs of Wi-Fi sightings. */
  wifiNetworks: number;
  /** Distinct BLE and classic Bluetooth addresses. */
  btDevices: number;
  /** Distinct cell keys (GSM, LTE, WCDMA, CDMA, NR). */
  cells: number;
  /** Distinct fix epochs with a valid position. */
  gpsFixes: number;
  rejected: number;
  rejectReasons: Record<string, number>;
  /** The file's content was imported before: nothing was read or added. */
  skipped: boolean;
}

const CELL_KINDS: ReadonlySet<ObservationKind> = new Set(["gsm", "lte", "wcdma", "cdma", "nr"]);

/**
 * Counts an import as it streams. A distinct set of MACs keeps each as two 24-bit numbers (OUI, then the
 * rest): small integers live unboxed in V8, so a million-row file with 50k transmitters costs about a
 * megabyte here, and recording a sighting allocates nothing.
 */
export class ImportTally {
  records = 0;
  observations = 0;
  rejected = 0;
  readonly rejectReasons: Record<string, number> = {};
  readonly metadata: Record<string, string> = {};
  #wifi = new MacSet();
  #bluetooth = new MacSet();
  #cells = new Set<string>();
  #fixEpochs = new Set<number>();

  addObservation(o: ObservationRecord): void {
    this.observations++;
    if (o.kind === "wifi") this.#wifi.add(o.mac);
    else if (o.kind === "ble" || o.kind === "bt") this.#bluetooth.add(o.mac);
    else if (CELL_KINDS.has(o.kind)) this.#cells.add(o.mac);
  }

  addFix(fix: GpsFixRecord): void {
    const valid =
      Number.isFinite(fix.lat) &&
      Number.isFinite(fix.lon) &&
      Math.abs(fix.lat) <= 90 &&
      Math.abs(fix.lon) <= 180;
    if (valid) this.#fixEpochs.add(fix.fixedAt);
  }

  addReject(reason: string): void {
    this.rejected++;
    this.rejectReasons[reason] = (this.rejectReasons[reason] ?? 0) + 1;
  }

  addMetadata(metadata: Record<string, string>): void {
    for (const [key, value] of Object.entries(metadata)) {
      if (key !== "__proto__") this.metadata[key] = value;
    }
  }

  summary(path: string, format: Format): ImportSummary {
    return {
      path,
      format,
      records: this.records,
      observations: this.observations,
      wifiNetworks: this.#wifi.size,
      btDevices: this.#bluetooth.size,
      cells: this.#cells.size,
      gpsFixes: this.#fixEpochs.size,
      rejected: this.rejected,
      rejectReasons: { ...this.rejectReasons },
      skipped: false,
    };
  }
}

/** Distinct `aa:bb:cc:dd:ee:ff` addresses, by OUI then NIC as integers; anything else as a string. */
class MacSet {
  #byOui = new Map<number, Set<number>>();
  #other = new Set<string>();
  size = 0;

  add(mac: string): void {
    const oui = hex24(mac, 0);
    const nic = hex24(mac, 9);
    if (mac.length !== 17 || oui < 0 || nic < 0) {
      if (!this.#other.has(mac)) this.size++;
      this.#other.add(mac);
      return;
    }
    let nics = this.#byOui.get(oui);
    if (nics === undefined) {
      nics = new Set();
      this.#byOui.set(oui, nics);
    }
    if (!nics.has(nic)) {
      nics.add(nic);
      this.size++;
    }
  }
}

/** Three `hh:` octets from `at` as one number, or -1 when they are not hex. */
function hex24(mac: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    if (i % 3 === 2) continue;
    const c = mac.charCodeAt(i);
    const lower = c | 0x20;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}
