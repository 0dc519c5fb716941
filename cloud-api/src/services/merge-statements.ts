import type { InStatement } from "@libsql/client";
import { OBSERVATION_SQL_COLUMNS, rssiWeight } from "@piwardrive/shared-schema";
import { groupTransmitters, type WireObservation } from "@piwardrive/shared-schema/wire";
import { type AlertRules, DEFAULT_ALERT_RULES } from "../alerts/alert-rules.js";
import { alertStatements } from "../alerts/merge-alerts.js";
import { type BatchKey, KEY_WHERE, keyArgs } from "./batch-key.js";
import { dailyStatsAfter, dailyStatsBefore } from "./merge-daily-stats.js";
import { type DeviceBatchInput, deviceStatusStatements, NO_DEVICE_BATCH } from "./merge-device-status.js";
import { BUMP_MERGE_GENERATION } from "./merge-generation.js";
import { heatmapCellStatements, stageCell } from "./merge-heatmap-cells.js";
import {
  DEVICE_FIRST_GENERATION,
  ESTIMATES_IN_UPSERT,
  networkEstimatesAfter,
  networkEstimatesBefore,
  vendorRows,
} from "./merge-network-estimates.js";

/*
 * The merge of one landed batch as ONE write transaction (see mergeBatch). The rows travel as JSON and
 * are staged in a TEMP table holding only the observations the database does not have yet. Per-transmitter
 * fields (MAC, kind, SSID, ...) travel once per distinct combination (`merge_tx`) and rows name theirs:
 * each JSON field extraction costs, so this halves the extractions per row;
 * everything after that (insert, network aggregates, device counts, the batch's status) reads the stage,
 * so aggregates grow exactly by the rows this transaction inserted, and a replay stages nothing.
 */

const STAGE_COLUMNS = ["seq", ...OBSERVATION_SQL_COLUMNS] as const;
const OBSERVATION_COLUMNS = STAGE_COLUMNS.join(", ");

const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS merge_stage (
  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, mac TEXT NOT NULL, ssid TEXT, auth_mode TEXT, capabilities TEXT,
  seen_at INTEGER NOT NULL, channel INTEGER, frequency_mhz INTEGER, rssi_dbm INTEGER,
  rssi_estimated INTEGER NOT NULL, lat REAL, lon REAL, altitude_m REAL, accuracy_m REAL, rcois TEXT,
  mfgr_id INTEGER, source TEXT NOT NULL, weight REAL NOT NULL, cell TEXT)`;
const CREATE_STAGE_INDEX =
  "CREATE INDEX IF NOT EXISTS temp.merge_stage_mac_idx ON merge_stage (mac, seen_at)";
const CLEAR_STAGE = "DELETE FROM temp.merge_stage";

const TX_COLUMNS = [
  "kind",
  "mac",
  "ssid",
  "auth_mode",
  "capabilities",
  "channel",
  "frequency_mhz",
  "rcois",
  "mfgr_id",
  "source",
] as const;
const CREATE_TX = `CREATE TEMP TABLE IF NOT EXISTS merge_tx (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
  mac TEXT NOT NULL, ssid TEXT, auth_mode TEXT, capabilities TEXT, channel INTEGER, frequency_mhz INTEGER,
  rcois TEXT, mfgr_id INTEGER, source TEXT NOT NULL)`;
const CLEAR_TX = "DELETE FROM temp.merge_tx";
const FILL_TX = `INSERT INTO temp.merge_tx (id, ${TX_COLUMNS.join(", ")})
SELECT j.key, ${TX_COLUMNS.map((_, i) => `j.value->>${i}`).join(", ")} FROM json_each(?) AS j`;

/** Where each staged column comes from: the transmitter (`t`) or the row's JSON array (`r`, by index). */
const ROW_FIELDS = [
  "seq",
  "tx",
  "seen_at",
  "rssi_dbm",
  "rssi_estimated",
  "lat",
  "lon",
  "altitude_m",
  "accuracy_m",
];
const source = (column: string) =>
  (TX_COLUMNS as readonly string[]).includes(column)
    ? `t.${column}`
    : `r.value->>${ROW_FIELDS.indexOf(column)}`;

// The first copy of a seq within the batch wins, as it would in observations itself: the rows are read in
// their order (CROSS JOIN keeps them the outer loop). `r` is MATERIALIZED so that each row's JSON text is
// rendered once, not once per `->>` (10 per row): the stage filled in 2.0 instead of 2.7 s per 200,000 rows.
// After the row's fields: its weight and its heatmap cell (stageCell), both computed in JS.
const FILL_STAGE = `INSERT INTO temp.merge_stage (${OBSERVATION_COLUMNS}, weight, cell)
WITH r(value) AS MATERIALIZED (SELECT value FROM json_each(?))
SELECT ${STAGE_COLUMNS.map(source).join(", ")}, r.value->>${ROW_FIELDS.length}, r.value->>${ROW_FIELDS.length + 1}
FROM r CROSS JOIN temp.merge_tx AS t ON t.id = r.value->>1
WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.device_id = ? AND o.run_id = ? AND o.seq = r.value->>0)
ON CONFLICT (seq) DO NOTHING`;

const INSERT_OBSERVATIONS = `INSERT INTO observations (device_id, run_id, ${OBSERVATION_COLUMNS})
SELECT ?, ?, ${OBSERVATION_COLUMNS} FROM temp.merge_stage WHERE true
ON CONFLICT (device_id, run_id, seq) DO NOTHING`;

// The latest non-null value of a column for the group's transmitter.
const latest = (column: string) => `(SELECT x.${column} FROM temp.merge_stage x
  WHERE x.mac = g.mac AND x.${column} IS NOT NULL ORDER BY x.seen_at DESC, x.seq DESC LIMIT 1)`;
const positioned = "lat IS NOT NULL AND lon IS NOT NULL";
// A newer batch wins the descriptive fields; a later hidden sighting does not erase a known value.
const newer = (column: string) =>
  `${column} = COALESCE(CASE WHEN excluded.last_seen >= networks.last_seen THEN excluded.${column} END, networks.${column}, excluded.${column})`;
const stronger = "excluded.best_rssi_dbm > coalesce(networks.best_rssi_dbm, -1000)";
const summed = (column: string) => `${column} = networks.${column} + excluded.${column}`;
const centroid = (axis: "lat" | "lon") =>
  `${axis} = CASE WHEN networks.weight_sum + excluded.weight_sum > 0 THEN (networks.weighted_${axis}_sum + excluded.weighted_${axis}_sum) / (networks.weight_sum + excluded.weight_sum) END`;

// Per transmitter of the batch: sightings, time span, positioned weight and weighted sums, and its device
// count (network_devices is upserted first, so this counts this batch's device too).
const BATCH_GROUPS = `g AS MATERIALIZED (SELECT mac, min(seen_at) AS first_seen, max(seen_at) AS last_seen,
    count(*) AS n, total(CASE WHEN ${positioned} THEN weight END) AS w,
    total(CASE WHEN ${positioned} THEN weight * lat END) AS wlat,
    total(CASE WHEN ${positioned} THEN weight * lon END) AS wlon,
    (SELECT count(*) FROM network_devices nd WHERE nd.mac = s.mac) AS devices
  FROM temp.merge_stage AS s GROUP BY mac)`;

/**
 * The one networks upsert. `b` is the strongest staged sighting of the transmitter (first seq on a tie):
 * best RSSI and where. With the estimates (the merge's default) their CTEs, joins and columns are folded
 * in (ESTIMATES_IN_UPSERT, whose last CTE extends `g` and is read in its place), so each touched network
 * is written once; without them (bench:merge-estimates' baseline) it is the centroid-only aggregate.
 */
export function upsertNetworksSql(withEstimates: boolean): string {
  const estimates = withEstimates ? ESTIMATES_IN_UPSERT : { ctes: [], from: "g", joins: "", columns: [] };
  const extra = estimates.columns.map(([column]) => column);
  return `INSERT INTO networks (mac, kind, ssid, auth_mode, channel, frequency_mhz, first_seen, last_seen,
  observation_count, device_count, best_rssi_dbm, best_lat, best_lon, weight_sum, weighted_lat_sum,
  weighted_lon_sum, lat, lon${extra.map((c) => `, ${c}`).join("")})
WITH ${[BATCH_GROUPS, ...estimates.ctes].join(",\n")}
SELECT g.mac, ${latest("kind")}, ${latest("ssid")}, ${latest("auth_mode")}, ${latest("channel")},
  ${latest("frequency_mhz")}, g.first_seen, g.last_seen, g.n, g.devices, b.rssi_dbm, b.lat, b.lon, g.w,
  g.wlat, g.wlon, CASE WHEN g.w > 0 THEN g.wlat / g.w END, CASE WHEN g.w > 0 THEN g.wlon / g.w END
  ${estimates.columns.map(([, inserted]) => `, ${inserted}`).join("")}
FROM ${estimates.from}
LEFT JOIN temp.merge_stage AS b ON b.seq = (SELECT y.seq FROM temp.merge_stage y
  WHERE y.mac = g.mac AND y.rssi_dbm IS NOT NULL ORDER BY y.rssi_dbm DESC, y.seq LIMIT 1)
${estimates.joins}
WHERE true
ON CONFLICT (mac) DO UPDATE SET
  kind = CASE WHEN excluded.last_seen >= networks.last_seen THEN excluded.kind ELSE networks.kind END,
  ${newer("ssid")}, ${newer("auth_mode")}, ${newer("channel")}, ${newer("frequency_mhz")},
  first_seen = min(networks.first_seen, excluded.first_seen),
  last_seen = max(networks.last_seen, excluded.last_seen),
  ${summed("observation_count")}, device_count = excluded.device_count,
  best_lat = CASE WHEN ${stronger} THEN excluded.best_lat ELSE networks.best_lat END,
  best_lon = CASE WHEN ${stronger} THEN excluded.best_lon ELSE networks.best_lon END,
  best_rssi_dbm = CASE WHEN ${stronger} THEN excluded.best_rssi_dbm ELSE networks.best_rssi_dbm END,
  ${summed("weight_sum")}, ${summed("weighted_lat_sum")}, ${summed("weighted_lon_sum")},
  ${centroid("lat")}, ${centroid("lon")}${estimates.columns.map(([c, , set]) => `,\n  ${c} = ${set}`).join("")}`;
}

export const UPSERT_NETWORKS = upsertNetworksSql(true);

const UPSERT_NETWORK_DEVICES = `INSERT INTO network_devices (mac, device_id, first_seen, last_seen,
  observations, first_generation)
SELECT mac, ?, min(seen_at), max(seen_at), count(*), ${DEVICE_FIRST_GENERATION} FROM temp.merge_stage
WHERE true GROUP BY mac
ON CONFLICT (mac, device_id) DO UPDATE SET
  observations = network_devices.observations + excluded.observations,
  first_seen = min(network_devices.first_seen, excluded.first_seen),
  last_seen = max(network_devices.last_seen, excluded.last_seen)`;

const MARK_MERGED = `UPDATE landed_batches
SET status = 'merged', merged_at = ?, error = NULL, inserted_count = (SELECT count(*) FROM temp.merge_stage)
WHERE ${KEY_WHERE} AND status = 'landed'`;

/** The merge's statements, and the positions of those whose results mergeBatch reads. */
export interface MergePlan {
  statements: InStatement[];
  /** INSERT INTO observations: rowsAffected = sightings inserted. */
  inserted: number;
  /** The landed row marked merged: 0 rows means another run got there first. */
  marked: number;
}

export function mergePlan(
  key: BatchKey,
  rows: readonly WireObservation[],
  now: number,
  alertRules: AlertRules = DEFAULT_ALERT_RULES,
  device: DeviceBatchInput = NO_DEVICE_BATCH,
): MergePlan {
  const { distinct, ids } = groupTransmitters(rows);
  const tx = distinct.map((o) => [
    o.kind,
    o.mac,
    o.ssid,
    o.authMode,
    o.capabilities,
    o.channel,
    o.frequencyMhz,
    o.rcois,
    o.mfgrId,
    o.source,
  ]);
  const staged = rows.map((o, i) => [
    o.seq,
    ids[i],
    o.seenAt,
    o.rssiDbm,
    o.rssiEstimated ? 1 : 0,
    o.lat,
    o.lon,
    o.altitudeM,
    o.accuracyM,
    rssiWeight(o.rssiDbm),
    stageCell(o.lat, o.lon),
  ]);
  const kinds = new Map(distinct.map((o) => [o.mac, o.kind]));
  const vendors = vendorRows(kinds.keys(), (mac) => kinds.get(mac) ?? "");
  const staging: InStatement[] = [
    CREATE_STAGE,
    CREATE_STAGE_INDEX,
    CREATE_TX,
    CLEAR_STAGE,
    CLEAR_TX,
    { sql: FILL_TX, args: [JSON.stringify(tx)] },
    { sql: FILL_STAGE, args: [JSON.stringify(staged), key.deviceId, key.runId] },
  ];
  // Alerts compare the staged rows with what `networks` knew before this batch, so they run first; the
  // daily first-day counts also read `networks` as it was.
  const aggregates: InStatement[] = [
    ...alertStatements(key, now, alertRules),
    ...networkEstimatesBefore(vendors, now),
    ...dailyStatsBefore(),
    { sql: UPSERT_NETWORK_DEVICES, args: [key.deviceId] },
    { sql: UPSERT_NETWORKS, args: [now] },
    ...networkEstimatesAfter(),
    ...heatmapCellStatements(),
    ...dailyStatsAfter(key.deviceId),
    // Fleet health: the batch's health samples and track, the device's status and sightings count.
    ...deviceStatusStatements(key, device, now),
  ];
  const statements = [
    ...staging,
    { sql: INSERT_OBSERVATIONS, args: [key.deviceId, key.runId] },
    ...aggregates,
    { sql: MARK_MERGED, args: [now, ...keyArgs(key)] },
    { sql: BUMP_MERGE_GENERATION, args: [now] },
    CLEAR_STAGE,
    CLEAR_TX,
  ];
  const inserted = staging.length;
  return { statements, inserted, marked: inserted + 1 + aggregates.length };
}
