import { frequencyToChannel, normalizeSsid, type ObservationKind } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { csvRecords } from "../files/csv-records.js";
import { dbmFrom, type RecordOutcome, recordEvents, refuse } from "./scan-record.js";
import { parseWiglePreHeader, wigleMfgrId } from "./wigle-fields.js";
import { WigleRowMemo, wigleMac } from "./wigle-row-memo.js";

const KINDS: Record<string, ObservationKind> = {
  WIFI: "wifi",
  BLE: "ble",
  BT: "bt",
  GSM: "gsm",
  LTE: "lte",
  WCDMA: "wcdma",
  CDMA: "cdma",
  NR: "nr",
};
const RADIO_KINDS = new Set<ObservationKind>(["wifi", "ble", "bt"]);

/** Column index by lower-cased header name, plus how many columns the header has. */
interface Columns {
  index: Map<string, number>;
  count: number;
}

export function looksLikeWigleCsv(head: string): boolean {
  const first = head.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  return /^WigleWifi-\d/i.test(first) || /^MAC,SSID,AuthMode,FirstSeen,/i.test(first);
}

/**
 * Streams a WiGLE CSV (1.0 to 1.6): the `WigleWifi-x.y,...` pre-header becomes a metadata event, the header
 * row maps columns by name, every data row is one record. Lines are pulled one at a time (the caller reads
 * the file with node:readline), so memory does not grow with the file. A repeated pre-header or header
 * (concatenated exports) starts a new section instead of being read as data.
 */
export async function* parseWigleCsv(
  lines: AsyncIterable<string>,
  ctx: ParseContext,
): AsyncGenerator<SourceEvent> {
  let columns: Columns | null = null;
  const memo = new WigleRowMemo(ctx.now);
  for await (const row of csvRecords(lines)) {
    if ("error" in row) {
      yield { type: "record" };
      yield { type: "reject", reason: row.error, line: row.lineNumber };
      continue;
    }
    const fields = row.fields;
    const first = (fields[0] ?? "").replace(/^\uFEFF/, "").trim();
    if (fields.length === 1 && first === "") continue;
    if (/^WigleWifi-/i.test(first)) {
      yield { type: "metadata", metadata: parseWiglePreHeader(fields) };
      continue;
    }
    const header = headerColumns(fields);
    if (header) {
      columns = header;
      continue;
    }
    if (columns === null) {
      yield { type: "record" };
      yield { type: "reject", reason: "no_header", line: row.lineNumber };
      continue;
    }
    const current = columns;
    yield* recordEvents(row.lineNumber, () => readRow(fields, current, memo));
  }
}

function headerColumns(fields: string[]): Columns | null {
  // Cheap first: data fields are rarely as long as "FirstSeen", and never read so.
  if (!fields.some(isFirstSeenName)) return null;
  const names = fields.map((f) =>
    f
      .replace(/^\uFEFF/, "")
      .trim()
      .toLowerCase(),
  );
  if (!names.includes("mac") || !names.includes("firstseen")) return null;
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  return { index, count: fields.length };
}

const FIRST_SEEN_NAME = /^\uFEFF?\s*firstseen\s*$/i;
const isFirstSeenName = (field: string) =>
  field.length >= 9 && field.length <= 32 && FIRST_SEEN_NAME.test(field);

function readRow(rawFields: string[], columns: Columns, memo: WigleRowMemo): RecordOutcome {
  const fields = alignFields(rawFields, columns);
  if (fields === null)
    return refuse("column_count", `${rawFields.length} fields, header has ${columns.count}`);
  const get = (name: string): string => {
    const i = columns.index.get(name);
    return i === undefined ? "" : (fields[i] ?? "");
  };

  // WiGLE 1.0-1.2 files have no Type column: every row is Wi-Fi.
  const typeText = get("type").trim().toUpperCase() || "WIFI";
  const kind = KINDS[typeText];
  if (kind === undefined) return refuse("unknown_type", typeText.slice(0, 32));

  const rawMac = get("mac");
  let mac: string;
  if (RADIO_KINDS.has(kind)) {
    const checked = wigleMac(rawMac);
    if (!checked.ok) return refuse(checked.reason, rawMac.slice(0, 64));
    mac = checked.value;
  } else {
    // Cells have no MAC: WiGLE writes a key like `310260_10943_2394121` (MCC+MNC, LAC/TAC, cell id).
    mac = rawMac.trim();
    if (mac === "") return refuse("mac_missing");
    if (mac.length > 64) return refuse("mac_malformed", mac.slice(0, 64));
  }

  const firstSeen = get("firstseen").trim();
  const seenAt = memo.seenAt(firstSeen);
  if (!seenAt.ok) {
    return refuse(seenAt.reason, seenAt.reason === "time_invalid" ? firstSeen.slice(0, 32) : firstSeen);
  }

  const ssidText = get("ssid");
  const capabilities = get("authmode");
  const rcois = get("rcois").trim();
  if (ssidText.length > 512) return refuse("field_too_long", "SSID");
  if (capabilities.length > 1024) return refuse("field_too_long", "AuthMode");
  if (rcois.length > 256) return refuse("field_too_long", "RCOIs");

  const frequencyMhz = positiveInt(get("frequency"));
  const channel =
    positiveInt(get("channel")) ??
    (kind === "wifi" && frequencyMhz ? frequencyToChannel(frequencyMhz) : null);
  const rssi = dbmFrom(get("rssi"));
  const position = readPosition(get("currentlatitude"), get("currentlongitude"));
  const accuracy = position ? numberOrNull(get("accuracymeters")) : null;

  // Every field spelled out (the type checks none is missing): one object per row, not two.
  return {
    ok: true,
    observation: {
      kind,
      mac,
      seenAt: seenAt.value,
      source: "wigle",
      rssiEstimated: false,
      ssid: normalizeSsid(ssidText),
      // Only Wi-Fi has an auth mode; BLE `Misc [BLE]` and a cell's `UNKNOWN;il` stay in capabilities.
      authMode: kind === "wifi" ? memo.authMode(capabilities) : null,
      capabilities: capabilities === "" ? null : capabilities,
      channel,
      frequencyMhz,
      // WiGLE writes 0 when a radio gave no level.
      rssiDbm: rssi === 0 ? null : rssi,
      lat: position?.lat ?? null,
      lon: position?.lon ?? null,
      altitudeM: position ? numberOrNull(get("altitudemeters")) : null,
      accuracyM: accuracy !== null && accuracy >= 0 ? accuracy : null,
      rcois: rcois === "" ? null : rcois,
      mfgrId: wigleMfgrId(get("mfgrid")),
    },
  };
}

/**
 * Old WiGLE writers did not quote SSIDs, so a comma in a name adds fields: glue the extra ones back into
 * the SSID column. Fewer fields than the header means a truncated row.
 */
function alignFields(fields: string[], columns: Columns): string[] | null {
  if (fields.length === columns.count) return fields;
  const ssid = columns.index.get("ssid");
  if (fields.length < columns.count || ssid === undefined) return null;
  const extra = fields.length - columns.count;
  const merged = fields.slice(ssid, ssid + extra + 1).join(",");
  return [...fields.slice(0, ssid), merged, ...fields.slice(ssid + extra + 1)];
}

function numberOrNull(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function positiveInt(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

/** 0,0 ("no fix yet") and out-of-range coordinates mean no position; the sighting itself is kept. */
function readPosition(latText: string, lonText: string): { lat: number; lon: number } | null {
  const lat = numberOrNull(latText);
  const lon = numberOrNull(lonText);
  if (lat === null || lon === null) return null;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) return null;
  return { lat, lon };
}
