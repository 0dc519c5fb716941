import {
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
  normalizeSsid,
  qualityToDbm,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { type LineBlock, lineBlocks, splitLines } from "../files/text-lines.js";
import { unescapeSsidBytes } from "./escaped-ssid.js";
import { dbmFrom, type RecordOutcome, recordEvents, refuse, seenAtFor } from "./scan-record.js";

const CELL_HEADER = /^\s*Cell \d+ - Address:(.*)$/s;

export function looksLikeIwlistScan(head: string): boolean {
  return /^\S+\s+Scan completed :/m.test(head) || /^\s*Cell \d+ - Address: /m.test(head);
}

/** Parses `iwlist <if> scanning` (wireless-tools): one record per `Cell NN - Address:` block. */
export function* parseIwlistScan(text: string, ctx: ParseContext): Generator<SourceEvent> {
  for (const cell of lineBlocks(splitLines(text), (line) => CELL_HEADER.test(line))) {
    yield* recordEvents(cell.lineNumber, () => readCell(cell, ctx));
  }
}

interface CellFields {
  essid: string | null;
  frequencyMhz: number | null;
  channel: number | null;
  dbm: string | null;
  quality: { value: number; max: number } | null;
  encryption: boolean | null;
  lastBeaconAgoMs: number;
  /** AKM tokens of each IE (`["PSK"]`); null when the IE is absent. */
  rsn: string[] | null;
  wpa: string[] | null;
}

function readCell(cell: LineBlock, ctx: ParseContext): RecordOutcome {
  const rawMac = CELL_HEADER.exec(cell.header)?.[1]?.trim() ?? "";
  const mac = normalizeMac(rawMac);
  if (!mac.ok) return refuse(mac.reason, rawMac);

  const f = readCellFields(cell.body);
  const signal = readSignal(f);
  if (!signal.ok) return refuse("signal_invalid", signal.detail);
  const seenAt = seenAtFor(ctx, f.lastBeaconAgoMs);
  if (!seenAt.ok) return refuse(seenAt.reason, `last beacon ${f.lastBeaconAgoMs} ms ago`);
  const auth = authTokens(f);
  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind: "wifi", mac: mac.value, seenAt: seenAt.value, source: "iwlist" }),
      ssid: f.essid === null ? null : normalizeSsid(unescapeSsidBytes(f.essid)),
      authMode: auth === null ? null : normalizeAuthMode(auth),
      channel: (f.frequencyMhz === null ? null : frequencyToChannel(f.frequencyMhz)) ?? f.channel,
      frequencyMhz: f.frequencyMhz,
      rssiDbm: signal.dbm,
      rssiEstimated: signal.estimated,
    },
  };
}

function readCellFields(body: readonly string[]): CellFields {
  const f: CellFields = {
    essid: null,
    frequencyMhz: null,
    channel: null,
    dbm: null,
    quality: null,
    encryption: null,
    lastBeaconAgoMs: 0,
    rsn: null,
    wpa: null,
  };
  let element: "rsn" | "wpa" | null = null;
  for (const raw of body) {
    const line = raw.trim();
    if (line.startsWith("IE:")) {
      element = /^IE: IEEE 802\.11i\/WPA2\b/.test(line)
        ? "rsn"
        : /^IE: WPA Version\b/.test(line)
          ? "wpa"
          : null;
      if (element) f[element] ??= [];
      continue;
    }
    const suites = /^Authentication Suites(?: \(\d+\))?\s*:(.*)$/s.exec(line)?.[1];
    if (element && suites !== undefined) f[element]?.push(...akmTokens(suites));

    // ESSID:"name" keeps everything between the first and the last quote (v29 prints it raw, v30 escapes).
    const essid = /^ESSID:"(.*)"(?:\s*\[\d+\])?$/s.exec(line);
    if (essid) f.essid ??= essid[1] ?? "";
    else if (/^ESSID:off\/any/.test(line)) f.essid ??= "";
    const freq = /Frequency[:=]\s*(\d+(?:\.\d+)?)\s*(GHz|MHz)/.exec(line);
    if (freq) f.frequencyMhz = Math.round(Number(freq[1]) * (freq[2] === "GHz" ? 1000 : 1));
    const channel = /(?:^Channel[:=]|\(Channel )(\d+)/.exec(line);
    if (channel) f.channel = Number(channel[1]);
    const dbm = /Signal level[=:]\s*(-?[\d.]+) ?dBm/.exec(line);
    if (dbm) f.dbm = dbm[1] ?? "";
    const ratio = /(?:Signal level|Quality)[=:]\s*(\d+)\/(\d+)/.exec(line);
    if (ratio && f.quality === null) f.quality = { value: Number(ratio[1]), max: Number(ratio[2]) };
    const key = /^Encryption key:(on|off)/.exec(line);
    if (key) f.encryption = key[1] === "on";
    const beacon = /Last beacon:\s*(\d+)\s*ms ago/.exec(line);
    if (beacon) f.lastBeaconAgoMs = Number(beacon[1]);
  }
  return f;
}

type Signal = { ok: true; dbm: number | null; estimated: boolean } | { ok: false; detail: string };

/** dBm when the driver gives it; otherwise the quality ratio converted and marked as an estimate. */
function readSignal(f: CellFields): Signal {
  const dbm = f.dbm === null ? null : dbmFrom(f.dbm);
  if (dbm !== null) return { ok: true, dbm, estimated: false };
  if (f.quality) {
    const estimate = qualityToDbm(f.quality.value, f.quality.max);
    if (estimate !== null) return { ok: true, dbm: estimate, estimated: true };
    return { ok: false, detail: `${f.quality.value}/${f.quality.max}` };
  }
  return f.dbm === null ? { ok: true, dbm: null, estimated: false } : { ok: false, detail: `${f.dbm} dBm` };
}

/** wireless-tools names AKMs `none`, `802.1x`, `PSK`, else `unknown (N)` with the 00-0f-ac suite number. */
function akmTokens(suites: string): string[] {
  const unknown = [...suites.matchAll(/unknown \((\d+)\)/gi)].map((m) => Number(m[1]));
  const tokens: string[] = [];
  if (/\bPSK\b/.test(suites) || unknown.some((n) => [4, 6, 19, 20].includes(n))) tokens.push("PSK");
  if (unknown.some((n) => [8, 9, 24, 25].includes(n))) tokens.push("SAE");
  if (/802\.1x/i.test(suites) || unknown.some((n) => [3, 5, 11, 12, 13].includes(n))) tokens.push("802.1X");
  if (unknown.some((n) => n === 11 || n === 12)) tokens.push("SUITE-B");
  if (unknown.includes(18)) tokens.push("OWE");
  return tokens;
}

function authTokens(f: CellFields): string | null {
  if (f.rsn || f.wpa) {
    return [...(f.rsn ? ["RSN", ...f.rsn] : []), ...(f.wpa ? ["WPA", ...f.wpa] : [])].join(" ");
  }
  if (f.encryption === null) return null;
  // A key without a WPA/RSN element is WEP.
  return f.encryption ? "WEP" : "OPEN";
}
