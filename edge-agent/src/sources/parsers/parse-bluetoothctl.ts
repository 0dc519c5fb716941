import { emptyObservation, normalizeMac, type ObservationKind } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { splitLines, stripAnsi } from "../files/text-lines.js";
import { dbmFrom, type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

/*
 * Kind: a Class of Device only comes from BR/EDR inquiry, so a device with `Class:` and a public address
 * is classic "bt"; anything else (random address, `Appearance:`, or simply no Class) is "ble". Scan-session lines carry
 * no class, so they are "ble" unless a `Class:` change for that address came earlier in the same text.
 */

// Every line that starts so is a record, even when what follows is garbled (it is then rejected).
const DEVICE_HEADER = /^Device (\S*)\s*(.*)$/s;
const SESSION_LINE = /^\[(NEW|CHG)\] Device (\S*)\s*(.*)$/s;

export function looksLikeBluetoothctl(head: string): boolean {
  const text = stripAnsi(head);
  return (
    /^(?:\[[^\]\n]*\][#>] ?)?Device (?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}\b/m.test(text) ||
    /\[(?:NEW|CHG|DEL)\] Device (?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}\b/.test(text)
  );
}

interface DeviceBlock {
  lineNumber: number;
  rawMac: string;
  rest: string;
  properties: Map<string, string>;
}

/**
 * Parses `bluetoothctl info <MAC>` (also several concatenated, and `bluetoothctl devices` lists): one record
 * per `Device <MAC>` block; and the `[NEW] Device <MAC> <name>` / `[CHG] Device <MAC> RSSI: ..` lines of a
 * scan session: one record each. ANSI colours and `[bluetooth]#` prompts are ignored.
 */
export function* parseBluetoothctl(text: string, ctx: ParseContext): Generator<SourceEvent> {
  const session = { names: new Map<string, string>(), classic: new Set<string>() };
  let block: DeviceBlock | null = null;
  for (const [index, raw] of splitLines(text).entries()) {
    const line = stripAnsi(raw).replace(/^(?:\[[^\]]*\][#>] ?)+/, "");
    const property = block && /^\s+([A-Za-z][\w ]*?):\s?(.*)$/s.exec(line);
    if (block && property) {
      block.properties.set(property[1] ?? "", property[2] ?? "");
      continue;
    }
    const header = DEVICE_HEADER.exec(line);
    const event = SESSION_LINE.exec(line);
    if (header || event) {
      const done = block;
      if (done) yield* recordEvents(done.lineNumber, () => readBlock(done, ctx));
      block = null;
    }
    if (header) {
      block = {
        lineNumber: index + 1,
        rawMac: header[1] ?? "",
        rest: header[2] ?? "",
        properties: new Map(),
      };
    } else if (event) {
      const [, tag = "", rawMac = "", rest = ""] = event;
      const change = /^(\w+): (.*)$/s.exec(rest);
      if (tag === "CHG" && change?.[1] === "Class") session.classic.add(rawMac.toLowerCase());
      if (tag === "CHG" && change?.[1] === "Name") session.names.set(rawMac.toLowerCase(), change[2] ?? "");
      if (tag === "NEW" || change?.[1] === "RSSI") {
        yield* recordEvents(index + 1, () => readSessionLine(tag, rawMac, rest, session, ctx));
      }
    }
  }
  const last = block;
  if (last) yield* recordEvents(last.lineNumber, () => readBlock(last, ctx));
}

function readBlock(block: DeviceBlock, ctx: ParseContext): RecordOutcome {
  const mac = normalizeMac(block.rawMac);
  if (!mac.ok) return refuse(mac.reason, block.rawMac);
  if (block.rest === "not available") return refuse("device_not_available");
  const addressType = /^\((public|random)\)$/.exec(block.rest)?.[1] ?? block.properties.get("AddressType");
  // `bluetoothctl devices` puts the name on the header line; `info` has a Name: property.
  const name = block.properties.get("Name") ?? (addressType || block.rest === "" ? null : block.rest);
  const rssi = block.properties.get("RSSI");
  const kind: ObservationKind = block.properties.has("Class") && addressType !== "random" ? "bt" : "ble";
  return observe(ctx, mac.value, kind, nameOrNull(name ?? null, mac.value), rssi);
}

function readSessionLine(
  tag: string,
  rawMac: string,
  rest: string,
  session: { names: Map<string, string>; classic: Set<string> },
  ctx: ParseContext,
): RecordOutcome {
  const mac = normalizeMac(rawMac);
  if (!mac.ok) return refuse(mac.reason, rawMac);
  if (tag === "NEW") session.names.set(rawMac.toLowerCase(), rest);
  const name = nameOrNull(session.names.get(rawMac.toLowerCase()) ?? null, mac.value);
  const rssi = tag === "CHG" ? rest.replace(/^RSSI: /, "") : undefined;
  return observe(ctx, mac.value, session.classic.has(rawMac.toLowerCase()) ? "bt" : "ble", name, rssi);
}

function observe(
  ctx: ParseContext,
  mac: string,
  kind: ObservationKind,
  name: string | null,
  rssi: string | undefined,
): RecordOutcome {
  const rssiDbm = rssi === undefined ? null : readRssi(rssi);
  if (rssi !== undefined && rssiDbm === null) return refuse("signal_invalid", rssi);
  const seenAt = seenAtFor(ctx);
  if (!seenAt.ok) return refuse(seenAt.reason);
  const base = emptyObservation({ kind, mac, seenAt: seenAt.value, source: "bluetoothctl" });
  return { ok: true, observation: { ...base, ssid: name, rssiDbm } };
}

/** bluetoothctl names a device without one by its address in dashes (`4C-87-5D-0B-2F-3A`): that is no name. */
function nameOrNull(name: string | null, mac: string): string | null {
  if (name === null || name === "") return null;
  return name.toLowerCase() === mac.replaceAll(":", "-") ? null : name;
}

/** `-52` (older bluez), `0xffffffc4 (-60)` (newer bluez: raw value, then decimal), or bare hex. */
function readRssi(text: string): number | null {
  const decimal = /\((-?\d+)\)\s*$/.exec(text)?.[1] ?? /^\s*(-?\d+)\s*$/.exec(text)?.[1];
  if (decimal !== undefined) return dbmFrom(decimal);
  const hex = /^\s*0x([0-9a-fA-F]{1,8})\s*$/.exec(text)?.[1];
  if (hex === undefined) return null;
  const raw = Number.parseInt(hex, 16);
  // Sign-extend: an int16 written as 0xffc4, or an int32 as 0xffffffc4.
  return dbmFrom(String(hex.length <= 4 ? (raw << 16) >> 16 : raw | 0));
}
