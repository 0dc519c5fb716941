import type { InStatement } from "@libsql/client";

/**
 * The queries the agent and its operators run all the time. Each must be served by an index; the store
 * tests assert that with EXPLAIN QUERY PLAN, and `doctor` prints their plans.
 */
export const NETWORK_COLUMNS =
  "mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen, observation_count, best_rssi_dbm, lat, lon";

export function recentNetworks(sinceMs: number, limit = 100): InStatement {
  return {
    sql: `SELECT ${NETWORK_COLUMNS} FROM networks WHERE last_seen >= ? ORDER BY last_seen DESC LIMIT ?`,
    args: [sinceMs, limit],
  };
}

/** Named networks only: served by the partial index (the guide's "recent named" index, made valid). */
export function recentNamedNetworks(sinceMs: number, limit = 100): InStatement {
  return {
    sql: `SELECT ${NETWORK_COLUMNS} FROM networks WHERE ssid IS NOT NULL AND ssid <> '' AND last_seen >= ?
      ORDER BY last_seen DESC LIMIT ?`,
    args: [sinceMs, limit],
  };
}

export function strongestRecent(minRssiDbm: number, sinceMs: number, limit = 100): InStatement {
  return {
    sql: `SELECT ${NETWORK_COLUMNS} FROM networks WHERE best_rssi_dbm >= ? AND last_seen >= ?
      ORDER BY best_rssi_dbm DESC LIMIT ?`,
    args: [minRssiDbm, sinceMs, limit],
  };
}

export interface BoundingBox {
  south: number;
  west: number;
  north: number;
  east: number;
}

export function networksInBox(box: BoundingBox, sinceMs: number, limit = 1000): InStatement {
  return {
    sql: `SELECT ${NETWORK_COLUMNS} FROM networks WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND last_seen >= ?
      LIMIT ?`,
    args: [box.south, box.north, box.west, box.east, sinceMs, limit],
  };
}

/** Case-insensitive SSID prefix search as a range on lower(ssid), so the expression index serves it. */
export function searchSsid(prefix: string, limit = 100): InStatement {
  const low = prefix.toLowerCase();
  return {
    sql: `SELECT ${NETWORK_COLUMNS} FROM networks WHERE lower(ssid) >= ? AND lower(ssid) < ? LIMIT ?`,
    args: [low, `${low}\u{10FFFF}`, limit],
  };
}

/**
 * A transmitter's statistics over every sighting stored since it was first seen (retention's pruning
 * included), from its `networks` row by primary key: the outbox itself has no index by transmitter.
 */
export function networkStats(mac: string): InStatement {
  return {
    sql: `SELECT observation_count AS observations, first_seen, last_seen, best_rssi_dbm,
      CASE WHEN rssi_count > 0 THEN CAST(rssi_sum AS REAL) / rssi_count END AS mean_rssi_dbm
      FROM networks WHERE mac = ?`,
    args: [mac],
  };
}

/** Every hot query with representative arguments, for doctor and the plan tests. */
export function hotQueries(now: number = Date.now()): Record<string, InStatement> {
  const dayAgo = now - 24 * 3600 * 1000;
  return {
    recent_networks: recentNetworks(dayAgo),
    recent_named_networks: recentNamedNetworks(dayAgo),
    strongest_recent: strongestRecent(-60, dayAgo),
    bbox_recent: networksInBox({ south: -34, west: 150.9, north: -33, east: 151.3 }, dayAgo),
    ssid_search: searchSsid("home"),
    network_stats: networkStats("aa:bb:cc:dd:ee:ff"),
  };
}
