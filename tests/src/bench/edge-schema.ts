import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type NetworkRollup, pragmaStatements, type Tuning } from "@piwardrive/edge-agent";
import { migrationsFolders } from "@piwardrive/migrations";
import {
  OBSERVATION_SQL_COLUMNS,
  type ObservationRecord,
  observationValues,
} from "@piwardrive/shared-schema";

/**
 * What the raw and guide baselines need to build the very same database as EdgeStore: the committed edge
 * migrations (tables and indexes, in file order) and the tuning pragmas.
 */
export function edgeSchemaStatements(): string[] {
  const folder = migrationsFolders.edge;
  return readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) => readFileSync(join(folder, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** EdgeStore.open's order: auto_vacuum before the first table, WAL, then the per-connection tuning. */
export function edgePragmas(tuning: Tuning): string[] {
  return ["PRAGMA auto_vacuum=INCREMENTAL", "PRAGMA journal_mode=WAL", ...pragmaStatements(tuning)];
}

export const OBSERVATION_COLUMNS = ["run_id", ...OBSERVATION_SQL_COLUMNS] as const;

export const INSERT_OBSERVATION_SQL = `INSERT INTO observations (${OBSERVATION_COLUMNS.join(", ")})
VALUES (${OBSERVATION_COLUMNS.map(() => "?").join(", ")})`;

/**
 * One network rollup merged into `networks`: the same ON CONFLICT rules as the BatchedWriter's upsert
 * (edge-agent/src/store/write-statements.ts), written for one row of bound values instead of json_each;
 * the centroid (the last two values) is weighted_lat_sum / weight_sum, as the writer's SQL computes it.
 * writer-vs-raw.test.ts checks that both produce the same `networks` table.
 */
export const UPSERT_NETWORK_SQL = `INSERT INTO networks (mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen,
  observation_count, best_rssi_dbm, best_lat, best_lon, weight_sum, weighted_lat_sum, weighted_lon_sum, lat, lon)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (mac) DO UPDATE SET
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

export type SqlValue = string | number | null;

export function networkParams(n: NetworkRollup): SqlValue[] {
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
    n.weightSum > 0 ? n.weightedLatSum / n.weightSum : null,
    n.weightSum > 0 ? n.weightedLonSum / n.weightSum : null,
  ];
}

/** An observation's values in OBSERVATION_COLUMNS order. */
export function observationParams(runId: string, o: ObservationRecord): SqlValue[] {
  return [runId, ...observationValues(o)];
}
