import type { Client, InStatement, InValue, Row } from "@libsql/client";
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

const OBSERVATION_SELECT = `SELECT rowid AS k, device_id, kind, mac, ssid, auth_mode, capabilities, seen_at, channel,
  frequency_mhz, rssi_dbm, lat, lon, altitude_m, accuracy_m, rcois, mfgr_id FROM observations`;
const NETWORK_SELECT = `SELECT rowid AS k, kind, mac, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen,
  observation_count, device_count, best_rssi_dbm, lat, lon, best_lat, best_lon FROM networks`;

/** One export page: the rows after rowid `after`; exported for the hot-statement plan checks. */
export function exportPageStatement(
  what: ExportWhat,
  selection: ExportSelection,
  after: number,
  pageRows = EXPORT_PAGE_ROWS,
): InStatement {
  const select = what === "observations" ? OBSERVATION_SELECT : NETWORK_SELECT;
  return {
    sql: `${select} WHERE rowid > ? AND (${selection.where}) ORDER BY rowid LIMIT ?`,
    args: [after, ...selection.args, pageRows],
  };
}

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
  const toRow: (r: Row) => unknown = what === "observations" ? observationRow : networkRow;
  let after = 0;
  for (;;) {
    const rs = await db.execute(exportPageStatement(what, selection, after, pageRows));
    if (rs.rows.length === 0) return;
    after = Number(rs.rows[rs.rows.length - 1]?.k);
    yield rs.rows.map(toRow) as W extends "observations" ? ExportObservation[] : ExportNetwork[];
    if (rs.rows.length < pageRows) return;
  }
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function observationRow(r: Row): ExportObservation {
  return {
    deviceId: String(r.device_id),
    kind: String(r.kind),
    mac: String(r.mac),
    ssid: str(r.ssid),
    authMode: str(r.auth_mode),
    capabilities: str(r.capabilities),
    seenAt: Number(r.seen_at),
    channel: num(r.channel),
    frequencyMhz: num(r.frequency_mhz),
    rssiDbm: num(r.rssi_dbm),
    lat: num(r.lat),
    lon: num(r.lon),
    altitudeM: num(r.altitude_m),
    accuracyM: num(r.accuracy_m),
    rcois: str(r.rcois),
    mfgrId: num(r.mfgr_id),
  };
}

function networkRow(r: Row): ExportNetwork {
  return {
    kind: String(r.kind),
    mac: String(r.mac),
    ssid: str(r.ssid),
    authMode: str(r.auth_mode),
    channel: num(r.channel),
    frequencyMhz: num(r.frequency_mhz),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    observationCount: Number(r.observation_count),
    deviceCount: Number(r.device_count),
    bestRssiDbm: num(r.best_rssi_dbm),
    lat: num(r.lat),
    lon: num(r.lon),
    bestLat: num(r.best_lat),
    bestLon: num(r.best_lon),
  };
}
