import {
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { splitLines } from "../files/text-lines.js";
import { looksLikeNmcliTabular, parseNmcliTabular } from "./parse-nmcli-tabular.js";
import { nmcliSsid, percentToDbm, readMhz } from "./parse-nmcli-values.js";
import { type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

/** The fields, in order, the live scanner asks nmcli for; parseNmcliTerse reads exactly these. */
export const NMCLI_TERSE_FIELDS = ["BSSID", "SSID", "CHAN", "FREQ", "SIGNAL", "SECURITY"] as const;

/**
 * argv for LiveScanner: `nmcli -t -e yes -f BSSID,SSID,CHAN,FREQ,SIGNAL,SECURITY dev wifi list`.
 * Terse with escaping on (`\:`, `\\`) keeps SSIDs exact, edge spaces and colons included.
 */
export const NMCLI_SCAN_COMMAND = [
  "nmcli",
  "-t",
  "-e",
  "yes",
  "-f",
  NMCLI_TERSE_FIELDS.join(","),
  "dev",
  "wifi",
  "list",
] as const;

const TERSE_LINE = /^(?:[0-9A-Fa-fxX*]{2}\\:){5}[0-9A-Fa-fxX*]{2}:/m;

export function looksLikeNmcli(head: string): boolean {
  return TERSE_LINE.test(head) || looksLikeNmcliTabular(head);
}

/** Parses nmcli Wi-Fi lists: terse (`-t`, our field order) when lines start with an escaped BSSID, else tabular. */
export function* parseNmcli(text: string, ctx: ParseContext): Generator<SourceEvent> {
  if (TERSE_LINE.test(text.slice(0, 4096))) yield* parseNmcliTerse(text, ctx);
  else yield* parseNmcliTabular(text, ctx);
}

/** Terse output in NMCLI_TERSE_FIELDS order: one record per non-empty line. */
export function* parseNmcliTerse(text: string, ctx: ParseContext): Generator<SourceEvent> {
  for (const [index, line] of splitLines(text).entries()) {
    if (line.trim() === "") continue;
    yield* recordEvents(index + 1, () => readTerseLine(line, ctx));
  }
}

function readTerseLine(line: string, ctx: ParseContext): RecordOutcome {
  const fields = splitTerse(line);
  if (fields.length !== NMCLI_TERSE_FIELDS.length) return refuse("field_count", `${fields.length} fields`);
  const [bssid = "", ssid = "", chan = "", freq = "", signal = "", security = ""] = fields;
  const mac = normalizeMac(bssid);
  if (!mac.ok) return refuse(mac.reason, bssid);
  const dbm = percentToDbm(signal);
  if (dbm === null) return refuse("signal_invalid", signal);
  const frequencyMhz = readMhz(freq);
  const seenAt = seenAtFor(ctx);
  if (!seenAt.ok) return refuse(seenAt.reason);
  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind: "wifi", mac: mac.value, seenAt: seenAt.value, source: "nmcli" }),
      ssid: nmcliSsid(ssid),
      authMode: normalizeAuthMode(security),
      channel: /^\d+$/.test(chan)
        ? Number(chan)
        : frequencyMhz === null
          ? null
          : frequencyToChannel(frequencyMhz),
      frequencyMhz,
      rssiDbm: dbm,
      rssiEstimated: true,
    },
  };
}

/** Splits on `:` that nmcli did not escape; `\:` is a colon and `\\` a backslash inside a value. */
function splitTerse(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? "";
    if (char === "\\" && i + 1 < line.length) {
      current += line[++i] ?? "";
    } else if (char === ":") {
      fields.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}
