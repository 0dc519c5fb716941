import type { InStatement } from "@libsql/client";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import { OBSERVATION_SQL_COLUMNS, pushObservationValues } from "@piwardrive/shared-schema/domain";
import type { NetworkRollup } from "./network-rollup.js";

/*
 * A flush is a few multi-row INSERTs whatever its size, with every value bound directly: 100 rows per
 * statement, then 10, then 1, so a flush of any size runs at most three statement texts per table, each
 * prepared once and kept in the connection's statement cache (sqlite-connection.ts).
 *
 * Why not one statement over `json_each(?)`, as before: the rows then travel as JSON text that JavaScript
 * writes and SQLite parses again; 1,000,000 sightings took 10.9-11.1 s that way against 8.6-9.9 s bound
 * (docs/decisions/0009-outbox-without-secondary-index.md). Bound values also leave no large strings
 * behind: the arguments of 100 rows are one ~14 KB array, far below V8's large-object size.
 */

export type SqlValue = string | number | null;

/** Rows per statement, largest first. */
export const ROWS_PER_STATEMENT = [100, 10, 1] as const;

/**
 * The SQL texts of one table's insert, by rows per statement (built once each). The first `shared`
 * columns hold one value for every row of a statement (the writer's run id): each tuple refers to the
 * same numbered parameters ?1..?shared, bound once, and the row's own values follow from ?shared+1 on.
 * Binding the 36-character run id once per statement instead of once per row took ~1 s of CPU off
 * 1,000,000 sightings (docs/benchmarks.md).
 */
function multiRowSql(
  head: string,
  width: number,
  { tail = "", shared = 0 }: { tail?: string; shared?: number } = {},
): (rows: number) => string {
  const texts = new Map<number, string>();
  const perRow = width - shared;
  const sharedParams = Array.from({ length: shared }, (_, i) => `?${i + 1}`);
  return (rows) => {
    let sql = texts.get(rows);
    if (sql === undefined) {
      const tuples = Array.from({ length: rows }, (_, row) => {
        const own = Array.from({ length: perRow }, (_, i) => `?${shared + row * perRow + i + 1}`);
        return `(${[...sharedParams, ...own].join(", ")})`;
      });
      sql = `${head} VALUES ${tuples.join(", ")}${tail}`;
      texts.set(rows, sql);
    }
    return sql;
  };
}

/**
 * The items as multi-row statements, in order: each statement's arguments are `shared` (the values of
 * its shared columns), then every item's own values, appended by `write(item, args)`.
 */
function multiRowStatements<T>(
  items: readonly T[],
  sqlFor: (rows: number) => string,
  write: (item: T, args: SqlValue[]) => void,
  shared: readonly SqlValue[] = [],
): InStatement[] {
  const statements: InStatement[] = [];
  let next = 0;
  for (const size of ROWS_PER_STATEMENT) {
    while (items.length - next >= size) {
      const args: SqlValue[] = [...shared];
      for (const end = next + size; next < end; next++) write(items[next] as T, args);
      statements.push({ sql: sqlFor(size), args });
    }
  }
  return statements;
}

const OBSERVATION_COLUMNS = ["run_id", ...OBSERVATION_SQL_COLUMNS];
const observationSql = multiRowSql(
  `INSERT INTO observations (${OBSERVATION_COLUMNS.join(", ")})`,
  OBSERVATION_COLUMNS.length,
  { shared: 1 },
);

/** The rows' INSERTs, in row order (so their seqs are consecutive on the store's one connection). */
export function insertObservations(runId: string, rows: readonly ObservationRecord[]): InStatement[] {
  return multiRowStatements(rows, observationSql, pushObservationValues, [runId]);
}

/** The `networks` columns an upsert writes, in the order of `networkValues`. */
export const NETWORK_UPSERT_COLUMNS =
  "mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen, observation_count, best_rssi_dbm, " +
  "best_lat, best_lon, weight_sum, weighted_lat_sum, weighted_lon_sum, rssi_sum, rssi_count, lat, lon";

/**
 * How a batch's rollup (`excluded`) merges into the stored row (`networks`): newer sightings win the
 * descriptive fields (a later hidden sighting does not erase a known name); counts and sums add up, and
 * the position estimate is recomputed from the summed weights.
 * Shared with the raw-SQLite baseline of the ingest benchmark, so both do the same work.
 */
export const NETWORK_UPSERT_CONFLICT = `ON CONFLICT (mac) DO UPDATE SET
  ssid = COALESCE(CASE WHEN excluded.last_seen >= networks.last_seen THEN excluded.ssid END, networks.ssid, excluded.ssid),
  auth_mode = COALESCE(CASE WHEN excluded.last_seen >= networks.last_seen THEN excluded.auth_mode END, networks.auth_mode),
  channel = COALESCE(CASE WHEN excluded.last_seen >= networks.last_seen THEN excluded.channel END, networks.channel),
  frequency_mhz = COALESCE(CASE WHEN excluded.last_seen >= networks.last_seen THEN excluded.frequency_mhz END, networks.frequency_mhz),
  first_seen = min(networks.first_seen, excluded.first_seen),
  last_seen = max(networks.last_seen, excluded.last_seen),
  observation_count = networks.observation_count + excluded.observation_count,
  best_lat = CASE WHEN excluded.best_rssi_dbm > coalesce(networks.best_rssi_dbm, -1000) THEN excluded.best_lat ELSE networks.best_lat END,
  best_lon = CASE WHEN excluded.best_rssi_dbm > coalesce(networks.best_rssi_dbm, -1000) THEN excluded.best_lon ELSE networks.best_lon END,
  best_rssi_dbm = CASE WHEN excluded.best_rssi_dbm > coalesce(networks.best_rssi_dbm, -1000) THEN excluded.best_rssi_dbm ELSE networks.best_rssi_dbm END,
  weight_sum = networks.weight_sum + excluded.weight_sum,
  weighted_lat_sum = networks.weighted_lat_sum + excluded.weighted_lat_sum,
  weighted_lon_sum = networks.weighted_lon_sum + excluded.weighted_lon_sum,
  rssi_sum = networks.rssi_sum + excluded.rssi_sum,
  rssi_count = networks.rssi_count + excluded.rssi_count,
  lat = CASE WHEN networks.weight_sum + excluded.weight_sum > 0
    THEN (networks.weighted_lat_sum + excluded.weighted_lat_sum) / (networks.weight_sum + excluded.weight_sum) END,
  lon = CASE WHEN networks.weight_sum + excluded.weight_sum > 0
    THEN (networks.weighted_lon_sum + excluded.weighted_lon_sum) / (networks.weight_sum + excluded.weight_sum) END`;

const NETWORK_WIDTH = NETWORK_UPSERT_COLUMNS.split(",").length;
const networkSql = multiRowSql(`INSERT INTO networks (${NETWORK_UPSERT_COLUMNS})`, NETWORK_WIDTH, {
  tail: `\n${NETWORK_UPSERT_CONFLICT}`,
});

/** A rollup's values in NETWORK_UPSERT_COLUMNS order; a new row's position is its own weighted centroid. */
export function networkValues(n: NetworkRollup): SqlValue[] {
  const centroid = (sum: number) => (n.weightSum > 0 ? sum / n.weightSum : null);
  return [
    n.mac,
    n.kind,
    n.ssid,
    n.authMode,
    n.channel,
    n.frequencyMhz,
    n.firstSeen,
    n.lastSeen,
    n.count,
    n.bestRssi,
    n.bestLat,
    n.bestLon,
    n.weightSum,
    n.weightedLatSum,
    n.weightedLonSum,
    n.rssiSum,
    n.rssiCount,
    centroid(n.weightedLatSum),
    centroid(n.weightedLonSum),
  ];
}

export function upsertNetworks(rollups: readonly NetworkRollup[]): InStatement[] {
  return multiRowStatements(rollups, networkSql, (n, args) => {
    for (const value of networkValues(n)) args.push(value);
  });
}

const FIX_COLUMNS = [
  "run_id",
  "fixed_at",
  "lat",
  "lon",
  "altitude_m",
  "mode",
  "accuracy_m",
  "hdop",
  "speed_mps",
  "track_deg",
  "source",
];
const fixSql = multiRowSql(
  `INSERT OR IGNORE INTO gps_fixes (${FIX_COLUMNS.join(", ")})`,
  FIX_COLUMNS.length,
  { shared: 1 },
);

export function insertGpsFixes(runId: string, fixes: readonly GpsFixRecord[]): InStatement[] {
  return multiRowStatements(
    fixes,
    fixSql,
    (f, args) => {
      args.push(
        f.fixedAt,
        f.lat,
        f.lon,
        f.altitudeM,
        f.mode,
        f.accuracyM,
        f.hdop,
        f.speedMps,
        f.trackDeg,
        f.source,
      );
    },
    [runId],
  );
}
