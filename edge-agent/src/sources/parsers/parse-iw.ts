import {
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
  normalizeSsid,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { type LineBlock, lineBlocks, splitLines } from "../files/text-lines.js";
import { unescapeSsidBytes } from "./escaped-ssid.js";
import { dbmFrom, type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

export function looksLikeIwScan(head: string): boolean {
  return /^BSS [0-9a-fA-Fx:-]{12,17} ?\(on [^)\s]+\)/m.test(head);
}

/**
 * Parses `iw dev <if> scan`: one record per `BSS` block. Old and new layouts (`BSS x(on wlan0)`,
 * `BSS x (on wlan0) -- associated`), tab or space indentation.
 */
export function* parseIwScan(text: string, ctx: ParseContext): Generator<SourceEvent> {
  for (const block of lineBlocks(splitLines(text), (line) => line.startsWith("BSS "))) {
    yield* recordEvents(block.lineNumber, () => readBss(block, ctx));
  }
}

function readBss(block: LineBlock, ctx: ParseContext): RecordOutcome {
  // The BSSID runs up to "(on": `BSS (on wlan0)` has none, `BSS Load:` at column 0 is malformed.
  const rawMac = /^BSS\s+([^\s(]*)/.exec(block.header)?.[1] ?? "";
  const mac = normalizeMac(rawMac);
  if (!mac.ok) return refuse(mac.reason, rawMac);

  const fields = readBssFields(block.body);
  if (fields.signalText !== null && fields.rssiDbm === null) {
    return refuse("signal_invalid", fields.signalText);
  }
  const seenAt = seenAtFor(ctx, fields.lastSeenAgoMs);
  if (!seenAt.ok) return refuse(seenAt.reason, `last seen ${fields.lastSeenAgoMs} ms ago`);

  const { frequencyMhz } = fields;
  const channel = (frequencyMhz === null ? null : frequencyToChannel(frequencyMhz)) ?? fields.dsChannel;
  const auth = authTokens(fields);
  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind: "wifi", mac: mac.value, seenAt: seenAt.value, source: "iw" }),
      ssid: fields.ssid === null ? null : normalizeSsid(unescapeSsidBytes(fields.ssid)),
      authMode: auth === null ? null : normalizeAuthMode(auth),
      capabilities: fields.capability,
      channel,
      frequencyMhz,
      rssiDbm: fields.rssiDbm,
    },
  };
}

interface BssFields {
  ssid: string | null;
  frequencyMhz: number | null;
  dsChannel: number | null;
  signalText: string | null;
  rssiDbm: number | null;
  lastSeenAgoMs: number;
  capability: string | null;
  /** AKM tokens of each security element (`["PSK", "SAE"]`); null when the element is absent. */
  rsn: string[] | null;
  wpa: string[] | null;
}

function readBssFields(body: readonly string[]): BssFields {
  const fields: BssFields = {
    ssid: null,
    frequencyMhz: null,
    dsChannel: null,
    signalText: null,
    rssiDbm: null,
    lastSeenAgoMs: 0,
    capability: null,
    rsn: null,
    wpa: null,
  };
  let element: "rsn" | "wpa" | null = null;
  for (const raw of body) {
    const line = raw.trimStart();
    // `RSN:` / `WPA:` open an element whose `* ...` lines follow; any other key closes it.
    if (line.startsWith("RSN:")) element = "rsn";
    else if (line.startsWith("WPA:")) element = "wpa";
    else if (!line.startsWith("*")) element = null;
    if (element) {
      const suites = /\* Authentication suites:(.*)$/s.exec(line)?.[1];
      const akms = fields[element] ?? [];
      fields[element] = akms;
      if (suites) akms.push(...akmTokens(suites));
      continue;
    }
    readBssLine(line, fields);
  }
  return fields;
}

function readBssLine(line: string, fields: BssFields): void {
  // The SSID is everything after "SSID: " (iw escapes edge spaces as \x20); the first SSID line wins.
  const ssid = /^SSID:(?: |$)(.*)$/s.exec(line);
  if (ssid) {
    fields.ssid ??= ssid[1] ?? "";
    return;
  }
  const freq = /^freq:\s*(\d+(?:\.\d+)?)\s*$/.exec(line);
  if (freq) fields.frequencyMhz = Math.round(Number(freq[1]));
  const signal = /^signal:\s*(\S*)\s*dBm/.exec(line);
  if (signal) {
    fields.signalText = signal[1] ?? "";
    fields.rssiDbm = dbmFrom(fields.signalText);
  }
  // Newer iw also prints `last seen: 710.456s [boottime]`: only the relative form is used.
  const lastSeen = /^last seen:\s*(\d+)\s*ms ago/.exec(line);
  if (lastSeen) fields.lastSeenAgoMs = Number(lastSeen[1]);
  if (line.startsWith("capability:")) {
    fields.capability = line
      .slice("capability:".length)
      .replace(/\(0x[0-9a-fA-F]+\)\s*$/, "")
      .trim();
  }
  const ds = /^DS Parameter set: channel (\d+)/.exec(line);
  if (ds) fields.dsChannel = Number(ds[1]);
}

/** iw names AKMs (`PSK`, `FT/SAE`, `IEEE 802.1X/SHA-256`) or prints the raw selector (`00-0f-ac:8`). */
function akmTokens(suites: string): string[] {
  const selectors = [...suites.matchAll(/00-0f-ac:(\d+)/gi)].map((m) => Number(m[1]));
  const has = (name: RegExp, codes: number[]) =>
    name.test(suites) || selectors.some((c) => codes.includes(c));
  const tokens: string[] = [];
  if (has(/(^|[\s/])PSK\b/, [2, 4, 6, 19, 20])) tokens.push("PSK");
  if (has(/\bSAE\b/, [8, 9, 24, 25])) tokens.push("SAE");
  if (has(/802\.1X|FILS/i, [1, 3, 5, 11, 12, 13, 14, 15, 16, 17])) tokens.push("802.1X");
  if (has(/SUITE-B/i, [11, 12])) tokens.push("SUITE-B");
  if (has(/\bOWE\b/, [18])) tokens.push("OWE");
  return tokens;
}

/** Tokens for normalizeAuthMode (`RSN PSK SAE WPA PSK`), or null when the block says nothing on security. */
function authTokens(fields: BssFields): string | null {
  if (fields.rsn || fields.wpa) {
    const rsn = fields.rsn ? ["RSN", ...fields.rsn] : [];
    const wpa = fields.wpa ? ["WPA", ...fields.wpa] : [];
    return [...rsn, ...wpa].join(" ");
  }
  if (fields.capability === null) return null;
  // Privacy without an RSN or WPA element is static WEP.
  return /\bPrivacy\b/.test(fields.capability) ? "WEP" : "OPEN";
}
