import {
  channelToFrequency,
  checkPlausibleTime,
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
  normalizeSsid,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext } from "../../events/source-event.js";
import { parseKismetTime } from "../files/xml-events.js";
import { dbmFrom, type RecordOutcome, refuse } from "./scan-record.js";

/** One `<SSID>` block of a network: what it advertised in beacons or probe responses. */
export interface SsidBlock {
  type: string;
  encryption: string[];
  wpaVersion: string;
  essid: string;
  cloaked: boolean;
}

/** A `<wireless-network>` as read so far: attributes and the texts of the elements we keep. */
export interface NetworkDraft {
  line: number;
  attributes: Record<string, string>;
  values: Map<string, string[]>;
  ssids: SsidBlock[];
  damaged: string | null;
}

export interface NetxmlOptions {
  /** ctime dates carry no zone; see parseKismetTime. */
  utcOffsetMinutes?: number;
}

/** A finished network to its observation, or the reason it is refused. */
export function readNetwork(draft: NetworkDraft, ctx: ParseContext, options: NetxmlOptions): RecordOutcome {
  if (draft.damaged) return refuse("malformed_xml", draft.damaged);
  const networkType = draft.attributes.type ?? "";
  if (networkType === "probe") return refuse("probe_only");
  const first = (name: string) => draft.values.get(name)?.[0] ?? "";

  const rawMac = first("BSSID");
  const mac = normalizeMac(rawMac);
  if (!mac.ok) return refuse(mac.reason, rawMac.slice(0, 32));
  const lastTime = draft.attributes["last-time"];
  const parsed = parseKismetTime(lastTime, options.utcOffsetMinutes);
  if (parsed === null) return refuse("time_invalid", (lastTime ?? "").slice(0, 40));
  const seenAt = checkPlausibleTime(parsed, ctx.now);
  if (!seenAt.ok) return refuse(seenAt.reason, lastTime);

  // `<freqmhz>2412 30</freqmhz>`: a frequency and how many packets were heard on it.
  const frequencies = (draft.values.get("freqmhz") ?? [])
    .map((f) => f.split(/\s+/).map(Number))
    .filter(([mhz, packets]) => Number.isInteger(mhz) && Number(mhz) > 0 && Number.isFinite(packets));
  const busiest = frequencies.sort((a, b) => Number(b[1]) - Number(a[1]))[0]?.[0] ?? null;
  const declared = Number(first("channel"));
  const channel =
    Number.isInteger(declared) && declared > 0 ? declared : busiest ? frequencyToChannel(busiest) : null;
  // Adjacent-channel leakage makes the busiest frequency unreliable when the channel is known.
  const frequencyMhz = (channel !== null && declared > 0 ? channelToFrequency(channel) : null) ?? busiest;

  const block = draft.ssids.find((s) => s.type === "Beacon") ?? draft.ssids[0];
  const capabilities = block ? [...block.encryption, block.wpaVersion].filter(Boolean).join(" ") : "";
  const signal = dbmFrom(first("max_signal_dbm")) || dbmFrom(first("last_signal_dbm"));
  const position = gpsPosition(draft);

  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind: "wifi", mac: mac.value, seenAt: seenAt.value, source: "kismet" }),
      ssid: !block || block.cloaked ? null : normalizeSsid(block.essid),
      authMode: block ? normalizeAuthMode(authInput(block)) : null,
      capabilities: capabilities === "" ? null : capabilities.slice(0, 1024),
      channel,
      frequencyMhz,
      // Kismet writes 0 dBm when the card reported no level.
      rssiDbm: signal === 0 ? null : signal,
      lat: position?.lat ?? null,
      lon: position?.lon ?? null,
      altitudeM: position?.alt ?? null,
    },
  };
}

/**
 * Kismet writes `WPA+PSK WPA+AES-CCM` with the real version in `<wpa-version>` (WPA2): put the version
 * first and drop the `WPA+` prefixes so normalisation does not read WPA1. 802.1X methods mean EAP.
 */
function authInput(block: SsidBlock): string {
  const tokens = block.encryption.map((e) => (block.wpaVersion ? e.replace(/^WPA\+/, "") : e));
  const eap = tokens.some((t) => /EAP|TLS|TTLS|LEAP|PEAP/.test(t)) ? " EAP" : "";
  return `${block.wpaVersion.replace("+", " ")} ${tokens.join(" ")}${eap}`.trim();
}

/** Where the signal peaked (matches max_signal_dbm), else the average; 0,0 means no GPS. */
function gpsPosition(draft: NetworkDraft): { lat: number; lon: number; alt: number | null } | null {
  for (const prefix of ["peak", "avg"]) {
    const lat = Number(draft.values.get(`${prefix}-lat`)?.[0] ?? Number.NaN);
    const lon = Number(draft.values.get(`${prefix}-lon`)?.[0] ?? Number.NaN);
    const alt = Number(draft.values.get(`${prefix}-alt`)?.[0] ?? Number.NaN);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    if (lat === 0 && lon === 0) continue;
    return { lat, lon, alt: Number.isFinite(alt) ? alt : null };
  }
  return null;
}
