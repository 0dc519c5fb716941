import { emptyObservation, normalizeMac, type ObservationKind } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { type LineBlock, lineBlocks, splitLines } from "../files/text-lines.js";
import { dbmFrom, type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

/** HCI reports RSSI 127 when the controller has no reading. */
const RSSI_UNAVAILABLE = "127";

export function looksLikeBtmgmtFind(head: string): boolean {
  return /^\s*\S+ dev_found: [0-9A-Fa-f:]{17} type /m.test(head);
}

/**
 * Parses `btmgmt find`: one record per `dev_found` line; the `AD flags`, `eir_len` and `name` lines
 * below it belong to it. LE addresses (public or random) are BLE, BR/EDR is classic Bluetooth.
 */
export function* parseBtmgmtFind(text: string, ctx: ParseContext): Generator<SourceEvent> {
  for (const block of lineBlocks(splitLines(text), (line) => / dev_found:/.test(line))) {
    yield* recordEvents(block.lineNumber, () => readDevice(block, ctx));
  }
}

function readDevice(block: LineBlock, ctx: ParseContext): RecordOutcome {
  const { rawMac, type, rawRssi } = readDevFound(block.header);
  const mac = normalizeMac(rawMac);
  if (!mac.ok) return refuse(mac.reason, rawMac);
  const kind = kindOf(type);
  if (!kind) return refuse("device_type_unknown", type);
  const rssiDbm = rawRssi === undefined || rawRssi === RSSI_UNAVAILABLE ? null : dbmFrom(rawRssi);
  if (rawRssi !== undefined && rawRssi !== RSSI_UNAVAILABLE && rssiDbm === null) {
    return refuse("signal_invalid", rawRssi);
  }
  const seenAt = seenAtFor(ctx);
  if (!seenAt.ok) return refuse(seenAt.reason);
  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind, mac: mac.value, seenAt: seenAt.value, source: "btmgmt" }),
      ssid: nameOf(block.body),
      capabilities: type,
      rssiDbm,
    },
  };
}

/** `hci0 dev_found: <MAC> type <LE Random|LE Public|BR/EDR> rssi <N> flags <0x..>`, read word by word. */
function readDevFound(header: string): { rawMac: string; type: string; rawRssi: string | undefined } {
  const [rawMac = "", ...words] = header
    .slice(header.indexOf("dev_found:") + "dev_found:".length)
    .trim()
    .split(/\s+/);
  const type: string[] = [];
  let rawRssi: string | undefined;
  let key = "";
  for (const word of words) {
    if (word === "type" || word === "rssi" || word === "flags") key = word;
    else if (key === "type") type.push(word);
    else if (key === "rssi") rawRssi ??= word;
  }
  return { rawMac, type: type.join(" "), rawRssi };
}

function kindOf(type: string): ObservationKind | null {
  if (/^LE\b/.test(type)) return "ble";
  if (type === "BR/EDR") return "bt";
  return null;
}

/** The first `name ...` line; btmgmt prints a bare `name` when the device sent an empty one. */
function nameOf(body: readonly string[]): string | null {
  for (const line of body) {
    const name = /^\s*name(?: (.*))?$/s.exec(line);
    if (name) return name[1] ? name[1] : null;
  }
  return null;
}
