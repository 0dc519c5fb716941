import type { InValue } from "@libsql/client";
import { InvalidArgumentError } from "../errors.js";
import { EXPORT_FORMATS, type ExportFormat } from "./export-formats.js";
import type { ExportSelection } from "./export-query.js";
import type { ExportWhat } from "./export-rows.js";
import type { Placement } from "./geojson.js";

export interface ExportQuery {
  format: ExportFormat;
  what: ExportWhat;
  placement: Placement;
  selection: ExportSelection;
}

const COMMON = ["format", "what", "placement", "bbox", "since", "until", "kind", "mac"];
/** Every parameter GET /v1/export knows (which ones apply depends on `what`). */
export const EXPORT_QUERY_PARAMS = [...COMMON, "device", "ssid", "ssidPrefix"] as const;
const ALLOWED: Record<ExportWhat, readonly string[]> = {
  observations: [...COMMON, "device"],
  networks: [...COMMON, "ssid", "ssidPrefix"],
};

/**
 * Reads /v1/export's query (and the CLI's flags, which use the same names): every parameter is checked and
 * an unknown or malformed one is refused naming it. Time filters are on seen_at for sightings and on
 * last_seen for networks; bbox is on the sighting's position or the network's estimate.
 */
export function parseExportQuery(query: Record<string, string | undefined>): ExportQuery {
  const format = (query.format ?? "") as ExportFormat;
  if (!EXPORT_FORMATS.includes(format))
    throw new InvalidArgumentError(`format: one of ${EXPORT_FORMATS.join(", ")}`);
  const what = (query.what ?? "observations") as ExportWhat;
  if (what !== "observations" && what !== "networks")
    throw new InvalidArgumentError("what: observations or networks");
  for (const name of Object.keys(query)) {
    if (!ALLOWED[what].includes(name))
      throw new InvalidArgumentError(`${name}: not a parameter of a ${what} export`);
  }
  const placement = (query.placement ?? "estimate") as Placement;
  if (placement !== "estimate" && placement !== "strongest")
    throw new InvalidArgumentError("placement: estimate or strongest");

  const where: string[] = [];
  const args: InValue[] = [];
  const add = (sql: string, ...values: InValue[]) => {
    where.push(sql);
    args.push(...values);
  };
  const time = what === "observations" ? "seen_at" : "last_seen";
  const since = readTime("since", query.since);
  const until = readTime("until", query.until);
  if (since !== null && until !== null && since >= until)
    throw new InvalidArgumentError("since: must be before until");
  if (since !== null) add(`${time} >= ?`, since);
  if (until !== null) add(`${time} < ?`, until);
  const bbox = readBbox(query.bbox);
  if (bbox !== null) add("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?", bbox[0], bbox[2], bbox[1], bbox[3]);
  if (query.kind !== undefined) add("kind = ?", readWord("kind", query.kind));
  if (query.mac !== undefined) add("mac = ?", readMac(query.mac));
  if (query.device !== undefined) add("device_id = ?", readWord("device", query.device));
  if (query.ssid !== undefined) add("ssid = ?", query.ssid);
  if (query.ssidPrefix !== undefined) {
    if (query.ssidPrefix === "") throw new InvalidArgumentError("ssidPrefix: must not be empty");
    add("substr(ssid, 1, ?) = ?", query.ssidPrefix.length, query.ssidPrefix);
  }
  return { format, what, placement, selection: { where: where.length ? where.join(" AND ") : "true", args } };
}

function readTime(name: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`${name}: not an ISO 8601 time or epoch ms`);
  return ms;
}

function readBbox(value: string | undefined): [number, number, number, number] | null {
  if (value === undefined) return null;
  const parts = value.split(",").map((p) => (p.trim() === "" ? Number.NaN : Number(p)));
  const [minLon, minLat, maxLon, maxLat] = parts;
  if (
    parts.length !== 4 ||
    minLon === undefined ||
    minLat === undefined ||
    maxLon === undefined ||
    maxLat === undefined ||
    !parts.every(Number.isFinite) ||
    Math.abs(minLat) > 90 ||
    Math.abs(maxLat) > 90 ||
    Math.abs(minLon) > 180 ||
    Math.abs(maxLon) > 180 ||
    minLon > maxLon ||
    minLat > maxLat
  ) {
    throw new InvalidArgumentError("bbox: minLon,minLat,maxLon,maxLat in degrees, min before max");
  }
  return [minLon, minLat, maxLon, maxLat];
}

function readWord(name: string, value: string): string {
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(value)) throw new InvalidArgumentError(`${name}: not a valid ${name}`);
  return value;
}

function readMac(value: string): string {
  // Radios' MACs are stored lower-case with colons; cells use their own key, matched as given.
  if (/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(value)) return value.toLowerCase().replaceAll("-", ":");
  return readWord("mac", value);
}
