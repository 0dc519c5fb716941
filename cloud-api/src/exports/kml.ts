import type { ExportNetwork, ExportObservation } from "./export-rows.js";
import { numberText, utcSeconds } from "./export-rows.js";
import type { Placement } from "./geojson.js";
import { xmlText } from "./text-safety.js";

/*
 * KML 2.2 for Google Earth: a Placemark per network at its estimated location (or strongest sighting), or per
 * sighting. Every string goes through xmlText: element content, never CDATA (a name can hold `]]>`).
 */
export const KML_HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>PiWardrive export</name>
`;
export const KML_TAIL = "</Document></kml>\n";

const show = (value: string | number | null) => (value === null ? "" : xmlText(numberText(value)));

function placemark(name: string, description: string, lat: number | null, lon: number | null): string {
  // A row with no position is still listed (a Placemark without geometry) so counts match the other formats.
  const geometry =
    lat === null || lon === null
      ? ""
      : `<Point><coordinates>${numberText(lon)},${numberText(lat)}</coordinates></Point>`;
  return `<Placemark><name>${name}</name><description>${description}</description>${geometry}</Placemark>\n`;
}

export function networkPlacemark(n: ExportNetwork, placement: Placement): string {
  const [lat, lon] = placement === "strongest" ? [n.bestLat, n.bestLon] : [n.lat, n.lon];
  const description = [
    `MAC: ${show(n.mac)}`,
    `Type: ${show(n.kind)}`,
    `Auth: ${show(n.authMode)}`,
    `Channel: ${show(n.channel)}`,
    `Best RSSI: ${show(n.bestRssiDbm)} dBm`,
    `Observations: ${n.observationCount}`,
    `Devices: ${n.deviceCount}`,
    `First seen: ${utcSeconds(n.firstSeen)} UTC`,
    `Last seen: ${utcSeconds(n.lastSeen)} UTC`,
  ].join("\n");
  return placemark(show(n.ssid ?? n.mac), description, lat, lon);
}

export function observationPlacemark(o: ExportObservation): string {
  // One template, not an array joined: a million of these make an export.
  const description = `MAC: ${show(o.mac)}\nType: ${show(o.kind)}\nAuth: ${show(o.authMode)}\nRSSI: ${show(o.rssiDbm)} dBm\nSeen: ${utcSeconds(o.seenAt)} UTC\nDevice: ${show(o.deviceId)}`;
  return placemark(show(o.ssid ?? o.mac), description, o.lat, o.lon);
}
