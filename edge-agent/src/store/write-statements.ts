import type { InStatement } from "@libsql/client";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import { OBSERVATION_SQL_COLUMNS, observationValues } from "@piwardrive/shared-schema/domain";
import type { NetworkRollup } from "./network-rollup.js";

/*
 * A flush is a handful of statements whatever its size: the rows travel as JSON arrays and SQLite unpacks
 * them with json_each, so a 1,000-row batch costs a few round-trips, not 1,000.
 *
 * Each JSON text carries at most ROWS_PER_STATEMENT rows (~60 KB of typical sightings). A longer string
 * would be over V8's large-object size (128 KB) and be allocated straight into the old generation, where
 * only a full mark-compact frees it: at import speed that was ~30 MB of garbage a second, and the import's
 * peak RSS (docs/benchmarks.md). Under the limit, each text dies young in a scavenge.
 *
 * Every statement reads json_each through a MATERIALIZED CTE, so each row's JSON is rendered once.
 * Written directly (`SELECT j.value->>0, j.value->>1, ... FROM json_each(?) AS j`), SQLite re-renders
 * `j.value` from the parsed batch for every reference, 17 times per observation: the insert cost 9.6 us
 * per row against 5.4 us through the CTE (libSQL 3.45; docs/decisions/0007-edge-write-path-memory-budget.md).
 */

/** `WITH j(value) AS MATERIALIZED (...)`: the batch's rows, each row's JSON rendered once. */
const ROWS = "WITH j(value) AS MATERIALIZED (SELECT value FROM json_each(?))";
const pick = (n: number) => Array.from({ length: n }, (_, i) => `j.value->>${i}`).join(", ");

const INSERT_OBSERVATIONS = `${ROWS}
INSERT INTO observations (run_id, ${OBSERVATION_SQL_COLUMNS.join(", ")})
SELECT ?, ${pick(OBSERVATION_SQL_COLUMNS.length)} FROM j`;

/** Rows per JSON text, keeping typical texts well under V8's 128 KB large-object size. */
export const ROWS_PER_STATEMENT = 250;

function* inChunks<T>(items: readonly T[]): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) yield items.slice(i, i + ROWS_PER_STATEMENT);
}

/** The rows' INSERTs, in row order (so their seqs are consecutive on the store's one connection). */
export function insertObservations(runId: string, rows: readonly ObservationRecord[]): InStatement[] {
  return Array.from(inChunks(rows), (chunk) => ({
    sql: INSERT_OBSERVATIONS,
    args: [JSON.stringify(chunk.map(observationValues)), runId],
  }));
}

/** The `networks` columns an upsert writes, in the order of `upsertNetworks`'s values. */
export const NETWORK_UPSERT_COLUMNS =
  "mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen, observation_count, best_rssi_dbm, " +
  "best_lat, best_lon, weight_sum, weighted_lat_sum, weighted_lon_sum, lat, lon";

/**
 * How a batch's rollup (`excluded`) merges into the stored row (`networks`): newer sightings win the
 * descriptive fields (a later hidden sighting does not erase a known name); counts and weighted sums add up.
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
  lat = CASE WHEN networks.weight_sum + excluded.weight_sum > 0
    THEN (networks.weighted_lat_sum + excluded.weighted_lat_sum) / (networks.weight_sum + excluded.weight_sum) END,
  lon = CASE WHEN networks.weight_sum + excluded.weight_sum > 0
    THEN (networks.weighted_lon_sum + excluded.weighted_lon_sum) / (networks.weight_sum + excluded.weight_sum) END`;

const UPSERT_NETWORKS = `${ROWS}
INSERT INTO networks (${NETWORK_UPSERT_COLUMNS})
SELECT ${pick(15)},
  CASE WHEN j.value->>12 > 0 THEN (j.value->>13) / (j.value->>12) END,
  CASE WHEN j.value->>12 > 0 THEN (j.value->>14) / (j.value->>12) END
FROM j WHERE true
${NETWORK_UPSERT_CONFLICT}`;

/** A rollup's values in NETWORK_UPSERT_COLUMNS order, less the derived lat/lon the SQL computes. */
export function networkRollupValues(n: NetworkRollup): (string | number | null)[] {
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
  ];
}

export function upsertNetworks(rollups: readonly NetworkRollup[]): InStatement[] {
  return Array.from(inChunks(rollups), (chunk) => ({
    sql: UPSERT_NETWORKS,
    args: [JSON.stringify(chunk.map(networkRollupValues))],
  }));
}

const INSERT_FIXES = `${ROWS}
INSERT OR IGNORE INTO gps_fixes (run_id, fixed_at, lat, lon, altitude_m, mode, accuracy_m, hdop,
  speed_mps, track_deg, source)
SELECT ?, ${pick(10)} FROM j`;

export function insertGpsFixes(runId: string, fixes: readonly GpsFixRecord[]): InStatement[] {
  return Array.from(inChunks(fixes), (chunk) => ({
    sql: INSERT_FIXES,
    args: [JSON.stringify(chunk.map(fixValues)), runId],
  }));
}

function fixValues(f: GpsFixRecord): (string | number | null)[] {
  return [
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
  ];
}
