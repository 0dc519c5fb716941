import {
  checkPlausibleTime,
  emptyObservation,
  frequencyToChannel,
  normalizeAuthMode,
  normalizeMac,
  normalizeSsid,
  type ObservationKind,
} from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { dbmFrom, type RecordOutcome, recordEvents, refuse } from "./scan-record.js";

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
const str = (value: unknown): string => (typeof value === "string" ? value : "");
const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** Kismet's `kismet.device.base.type` for a Wi-Fi device that is (or acts as) an access point. */
const ACCESS_POINT_TYPE = /\bAP\b|Ad-?Hoc|WDS|Mesh/i;

/**
 * One Kismet device record (a `devices` row of a .kismet log, or an element of a REST device list) as one
 * record. Wi-Fi access points become `wifi` observations; Wi-Fi clients are refused as `wifi_client`
 * (they are stations, not networks: storing them would count them as networks); Bluetooth becomes `bt`
 * or `ble`; every other phy (RTL433, RTLAMR, RTLADSB, Zigbee, ...) is refused as `unsupported_phy`.
 */
export function parseKismetDevice(json: unknown, ctx: ParseContext, line = 0): Generator<SourceEvent> {
  return recordEvents(line, () => readKismetDevice(json, ctx));
}

/** `kismet.device.base.last_time` (seconds), or null: REST pollers use it as their cursor. */
export function kismetLastTime(json: unknown): number | null {
  return num(obj(json)["kismet.device.base.last_time"]);
}

function readKismetDevice(json: unknown, ctx: ParseContext): RecordOutcome {
  const device = obj(json);
  const base = (key: string): unknown => device[`kismet.device.base.${key}`];
  const phy = str(base("phyname"));
  const type = str(base("type"));
  const kind = kindOf(phy, type, device);
  if (kind === "unsupported_phy") return refuse("unsupported_phy", phy.slice(0, 32) || "none");
  if (kind === "wifi_client") return refuse("wifi_client", type.slice(0, 32));

  const rawMac = str(base("macaddr"));
  const mac = normalizeMac(rawMac);
  if (!mac.ok) return refuse(mac.reason, rawMac.slice(0, 32));
  const lastTime = num(base("last_time"));
  if (lastTime === null || lastTime <= 0) return refuse("no_time");
  const seenAt = checkPlausibleTime(lastTime * 1000, ctx.now);
  if (!seenAt.ok) return refuse(seenAt.reason, String(lastTime));

  // Kismet frequencies are in kHz; channel is a string ("6", "36", "149HT80").
  const khz = num(base("frequency"));
  const frequencyMhz = khz !== null && khz > 0 ? Math.round(khz / 1000) : null;
  const channelDigits = /^\d+/.exec(str(base("channel")))?.[0];
  const channel =
    kind !== "wifi"
      ? null
      : channelDigits && Number(channelDigits) > 0
        ? Number(channelDigits)
        : frequencyMhz
          ? frequencyToChannel(frequencyMhz)
          : null;
  const crypt =
    kind === "wifi"
      ? str(base("crypt")) || str(beaconedSsid(device)["dot11.advertisedssid.crypt_string"])
      : "";
  const place = location(obj(base("location")));

  return {
    ok: true,
    observation: {
      ...emptyObservation({ kind, mac: mac.value, seenAt: seenAt.value, source: "kismet" }),
      ssid: kind === "wifi" ? wifiSsid(device) : deviceName(device, rawMac),
      authMode: crypt === "" ? null : normalizeAuthMode(crypt),
      capabilities: crypt === "" ? null : crypt.slice(0, 1024),
      channel,
      frequencyMhz,
      rssiDbm: signalDbm(obj(base("signal"))),
      lat: place?.lat ?? null,
      lon: place?.lon ?? null,
      altitudeM: place?.alt ?? null,
    },
  };
}

function kindOf(
  phy: string,
  type: string,
  device: Json,
): ObservationKind | "wifi_client" | "unsupported_phy" {
  if (phy === "IEEE802.11") {
    // basic_type_set bit 1 is Kismet's KIS_DEVICE_BASICTYPE_AP.
    const basic = num(device["kismet.device.base.basic_type_set"]) ?? 0;
    return ACCESS_POINT_TYPE.test(type) || (basic & 1) === 1 ? "wifi" : "wifi_client";
  }
  if (phy === "BTLE" || (phy === "Bluetooth" && /BTLE|BLE/i.test(type))) return "ble";
  if (phy === "Bluetooth") return "bt";
  return "unsupported_phy";
}

/** The SSID record the AP beaconed last, old (`last_beaconed_ssid` string) and new (`_record`) layouts. */
function beaconedSsid(device: Json): Json {
  const dot11 = obj(device["dot11.device"]);
  const record = obj(dot11["dot11.device.last_beaconed_ssid_record"]);
  if (Object.keys(record).length > 0) return record;
  // advertised_ssid_map is an object keyed by hash before 2020 and an array after: take the newest entry.
  const map = dot11["dot11.device.advertised_ssid_map"];
  const entries = (Array.isArray(map) ? map : Object.values(obj(map))).map(obj);
  const time = (e: Json) => num(e["dot11.advertisedssid.last_time"]) ?? 0;
  return entries.reduce<Json>((best, e) => (time(e) >= time(best) ? e : best), {});
}

function wifiSsid(device: Json): string | null {
  const legacy = str(obj(device["dot11.device"])["dot11.device.last_beaconed_ssid"]);
  if (legacy !== "") return normalizeSsid(legacy);
  const record = beaconedSsid(device);
  if (num(record["dot11.advertisedssid.cloaked"]) === 1) return null;
  return normalizeSsid(str(record["dot11.advertisedssid.ssid"]));
}

/** A Bluetooth device's name; Kismet falls back to the MAC as commonname, which is not a name. */
function deviceName(device: Json, rawMac: string): string | null {
  const name = str(device["kismet.device.base.name"]) || str(device["kismet.device.base.commonname"]);
  return name.toUpperCase() === rawMac.toUpperCase() ? null : normalizeSsid(name.slice(0, 512));
}

/** Strongest signal in dBm (0 means none in Kismet; RSSI-type radios are not dBm). */
function signalDbm(signal: Json): number | null {
  const type = str(signal["kismet.common.signal.type"]);
  if (type !== "" && type.toLowerCase() !== "dbm") return null;
  const value =
    num(signal["kismet.common.signal.max_signal"]) ?? num(signal["kismet.common.signal.last_signal"]);
  if (value === null || value === 0) return null;
  return dbmFrom(String(value));
}

/**
 * Average location (`avg_loc`), else the last one. Kismet writes `geopoint: [lon, lat]` since 2019 and
 * `lat`/`lon` fields before; fix < 2 or 0,0 means it had no position.
 */
function location(loc: Json): { lat: number; lon: number; alt: number | null } | null {
  for (const key of ["kismet.common.location.avg_loc", "kismet.common.location.last"]) {
    const point = obj(loc[key]);
    const geopoint = point["kismet.common.location.geopoint"];
    const [lon, lat] = Array.isArray(geopoint)
      ? [num(geopoint[0]), num(geopoint[1])]
      : [num(point["kismet.common.location.lon"]), num(point["kismet.common.location.lat"])];
    const fix = num(point["kismet.common.location.fix"]);
    if (lat === null || lon === null || (fix !== null && fix < 2)) continue;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) continue;
    return { lat, lon, alt: num(point["kismet.common.location.alt"]) };
  }
  return null;
}
