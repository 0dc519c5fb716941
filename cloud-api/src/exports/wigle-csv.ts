import type { ExportNetwork, ExportObservation } from "./export-rows.js";
import { numberText, utcSeconds } from "./export-rows.js";
import { csvField } from "./text-safety.js";

/*
 * WiGLE CSV 1.6 as WiGLE documents it (wigle.net/uploads, "WiGLE CSV Format"): a pre-header line of
 * `key=value` pairs, then the 14 columns below, RFC 4180 quoting, times `yyyy-MM-dd HH:mm:ss` in UTC. A
 * data-interchange file: SSIDs are written exactly as seen, so the importer gives back the same sightings.
 */
const PRE_HEADER =
  "WigleWifi-1.6,appRelease=piwardrive-cloud,model=PiWardrive fleet,release=1,device=piwardrive-cloud,display=none,board=none,brand=PiWardrive,star=Sol,body=3,subBody=0";
export const WIGLE_COLUMNS = [
  "MAC",
  "SSID",
  "AuthMode",
  "FirstSeen",
  "Channel",
  "Frequency",
  "RSSI",
  "CurrentLatitude",
  "CurrentLongitude",
  "AltitudeMeters",
  "AccuracyMeters",
  "RCOIs",
  "MfgrId",
  "Type",
] as const;

export const WIGLE_HEAD = `${PRE_HEADER}\n${WIGLE_COLUMNS.join(",")}\n`;

const text = (value: string | null) => (value === null ? "" : csvField(value));
const num = (value: number | null) => (value === null ? "" : numberText(value));

/** WiGLE's AuthMode is the capability string (`[WPA2-PSK-CCMP][ESS]`); ours when the source had one. */
function authField(capabilities: string | null, authMode: string | null): string {
  if (capabilities !== null) return capabilities;
  return authMode === null ? "" : `[${authMode}]`;
}

export function wigleObservationLine(o: ExportObservation): string {
  // One template rather than an array joined: no array and one string per row.
  return `${o.mac},${text(o.ssid)},${text(authField(o.capabilities, o.authMode))},${utcSeconds(o.seenAt)},${num(o.channel)},${num(o.frequencyMhz)},${num(o.rssiDbm)},${num(o.lat)},${num(o.lon)},${num(o.altitudeM)},${num(o.accuracyM)},${text(o.rcois)},${num(o.mfgrId)},${o.kind.toUpperCase()}\n`;
}

/** A network as one WiGLE row: first seen, its strongest sighting's RSSI and place (as kismetdb_to_wiglecsv). */
export function wigleNetworkLine(n: ExportNetwork): string {
  return `${[
    n.mac,
    text(n.ssid),
    text(authField(null, n.authMode)),
    utcSeconds(n.firstSeen),
    num(n.channel),
    num(n.frequencyMhz),
    num(n.bestRssiDbm),
    num(n.bestLat ?? n.lat),
    num(n.bestLon ?? n.lon),
    "",
    "",
    "",
    "",
    n.kind.toUpperCase(),
  ].join(",")}\n`;
}
