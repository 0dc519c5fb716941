import type { GpsFixRecord, ObservationKind, ObservationRecord } from "@piwardrive/shared-schema";
import type { Format } from "./source-event.js";

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
 * Counts an import as it streams. Distinct sets hold a MAC as its 48-bit number (a double holds it
 * exactly), several times smaller than the string: a million-row file with 50k transmitters stays small.
 */
export class ImportTally {
  records = 0;
  observations = 0;
  rejected = 0;
  readonly rejectReasons: Record<string, number> = {};
  readonly metadata: Record<string, string> = {};
  #wifi = new Set<number | string>();
  #bluetooth = new Set<number | string>();
  #cells = new Set<string>();
  #fixEpochs = new Set<number>();

  addObservation(o: ObservationRecord): void {
    this.observations++;
    if (o.kind === "wifi") this.#wifi.add(macKey(o.mac));
    else if (o.kind === "ble" || o.kind === "bt") this.#bluetooth.add(macKey(o.mac));
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

/** `aa:bb:cc:dd:ee:ff` as a number; anything else (never from the parsers) as itself. */
function macKey(mac: string): number | string {
  if (mac.length !== 17) return mac;
  const value = Number.parseInt(mac.replaceAll(":", ""), 16);
  return Number.isSafeInteger(value) ? value : mac;
}
