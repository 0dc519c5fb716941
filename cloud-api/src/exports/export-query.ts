import type { Client, InValue } from "@libsql/client";
import type { ExportNetwork, ExportObservation, ExportWhat } from "./export-rows.js";

/** What an export selects: the parsed filters of the analyst routes, as SQL over one table. */
export interface ExportSelection {
  /** A boolean SQL expression over the table's columns (`true` for everything). */
  where: string;
  args: InValue[];
}

export const EVERYTHING: ExportSelection = { where: "true", args: [] };

/** Rows per page: large enough that one query per page costs little, small enough to bound memory. */
export const EXPORT_PAGE_ROWS = 2000;

/*
 * A page comes back as ONE JSON text (an array of row arrays), parsed by one JSON.parse: @libsql/client
 * builds every column of every row as a defined property, which was most of an export's CPU (profile of a
 * WiGLE export of the bench database: 44 % in its rowFromSql, 17 % GC, 20,000 rows/s in all). REALs go in
 * as `printf('%!.17g')` text: SQLite's JSON prints REALs with 15 significant digits, which does not
 * round-trip every double, while 17 do, so Number() gives back the stored value exactly.
 */
const real = (column: string) => `iif(${column} IS NULL, NULL, printf('%!.17g', ${column}))`;
const OBSERVATION_FIELDS = `rowid, device_id, kind, mac, ssid, auth_mode, capabilities, seen_at, channel, frequency_mhz,
  rssi_dbm, ${real("lat")}, ${real("lon")}, ${real("altitude_m")}, ${real("accuracy_m")}, rcois, mfgr_id`;
const NETWORK_FIELDS = `rowid, kind, mac, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen,
  observation_count, device_count, best_rssi_dbm, ${real("lat")}, ${real("lon")}, ${real("best_lat")},
  ${real("best_lon")}`;

/**
 * Pages of rows in rowid order (keyset: each page starts after the last rowid seen, so no OFFSET and
 * constant memory); the next page is read only when the consumer asks for it, which is the back-pressure.
 */
export async function* exportPages<W extends ExportWhat>(
  db: Client,
  what: W,
  selection: ExportSelection,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<W extends "observations" ? ExportObservation[] : ExportNetwork[]> {
  const [table, fields] =
    what === "observations" ? ["observations", OBSERVATION_FIELDS] : ["networks", NETWORK_FIELDS];
  const toRow: (r: JsonCell[]) => unknown = what === "observations" ? observationRow : networkRow;
  let after = 0;
  for (;;) {
    const rs = await db.execute({
      sql: `SELECT json_group_array(json_array(${fields})) AS page FROM (SELECT rowid, * FROM ${table}
        WHERE rowid > ? AND (${selection.where}) ORDER BY rowid LIMIT ?)`,
      args: [after, ...selection.args, pageRows],
    });
    const page = JSON.parse(String(rs.rows[0]?.page ?? "[]")) as JsonCell[][];
    // SQLite aggregates the ordered subquery in its order (an ORDER BY inside the aggregate costs a sort
    // per page); should a plan ever differ, sort here rather than emit rows out of order.
    if (!page.every((r, i) => i === 0 || Number(r[0]) > Number(page[i - 1]?.[0]))) {
      page.sort((a, b) => Number(a[0]) - Number(b[0]));
    }
    const last = page.at(-1);
    if (last === undefined) return;
    after = Number(last[0]);
    yield page.map(toRow) as W extends "observations" ? ExportObservation[] : ExportNetwork[];
    if (page.length < pageRows) return;
  }
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

type JsonCell = string | number | null;

function observationRow(r: JsonCell[]): ExportObservation {
  const [, deviceId, kind, mac, ssid, authMode, capabilities, seenAt, channel, frequencyMhz, rssiDbm] = r;
  const [lat, lon, altitudeM, accuracyM, rcois, mfgrId] = r.slice(11);
  return {
    deviceId: String(deviceId),
    kind: String(kind),
    mac: String(mac),
    ssid: ssid as string | null,
    authMode: authMode as string | null,
    capabilities: capabilities as string | null,
    seenAt: Number(seenAt),
    channel: channel as number | null,
    frequencyMhz: frequencyMhz as number | null,
    rssiDbm: rssiDbm as number | null,
    lat: num(lat),
    lon: num(lon),
    altitudeM: num(altitudeM),
    accuracyM: num(accuracyM),
    rcois: rcois as string | null,
    mfgrId: mfgrId as number | null,
  };
}

function networkRow(r: JsonCell[]): ExportNetwork {
  const [, kind, mac, ssid, authMode, channel, frequencyMhz, firstSeen, lastSeen, observations, devices] = r;
  const [bestRssi, lat, lon, bestLat, bestLon] = r.slice(11);
  return {
    kind: String(kind),
    mac: String(mac),
    ssid: ssid as string | null,
    authMode: authMode as string | null,
    channel: channel as number | null,
    frequencyMhz: frequencyMhz as number | null,
    firstSeen: Number(firstSeen),
    lastSeen: Number(lastSeen),
    observationCount: Number(observations),
    deviceCount: Number(devices),
    bestRssiDbm: bestRssi as number | null,
    lat: num(lat),
    lon: num(lon),
    bestLat: num(bestLat),
    bestLon: num(bestLon),
  };
}
