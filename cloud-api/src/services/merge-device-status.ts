import type { InStatement } from "@libsql/client";
import type { GpsFixRecord } from "@piwardrive/shared-schema/domain";
import type { WireGuardStates, WireHealthSample } from "@piwardrive/shared-schema/wire";
import { type BatchKey, KEY_WHERE, keyArgs } from "./batch-key.js";

/*
 * The merge's fleet-health step: the batch's health samples and GPS track into device_health and
 * device_tracks (keyed by device and time, so a replay inserts nothing), and the device's status row:
 * sightings inserted (the staged rows: exactly what this merge added to observations), the newest batch,
 * health sample and fix (each replaced only by a newer one, so batches merged out of order or twice leave
 * the newest). It runs inside the merge's transaction, before the stage is cleared.
 */

/** How far ahead of the merge's clock a device clock may run before its sample or fix is dropped. */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000;

export interface DeviceBatchInput {
  health: readonly WireHealthSample[];
  gpsTrack: readonly GpsFixRecord[];
  /** Samples and fixes older than this are dropped (the {fleet} job would delete them anyway). */
  keepSince: number;
}

export const NO_DEVICE_BATCH: DeviceBatchInput = { health: [], gpsTrack: [], keepSince: 0 };

/** Only the known fields, in a fixed order: the fast wire validator passes unknown keys through. */
export function guardsJson(g: WireGuardStates | undefined): string | null {
  if (g === undefined) return null;
  return JSON.stringify({
    memory: g.memory,
    diskBelowFloor: g.diskBelowFloor,
    hot: g.hot,
    lagging: g.lagging,
    scanIntervalMultiplier: g.scanIntervalMultiplier,
  });
}

const INSERT_HEALTH = `INSERT INTO device_health (device_id, sampled_at, rss_mb, available_mem_mb, disk_free_mb,
  soc_temp_c, event_loop_lag_ms, writer_queue_depth, guards)
SELECT ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6, j.value->>7
FROM json_each(?) AS j WHERE true
ON CONFLICT (device_id, sampled_at) DO NOTHING`;

const INSERT_TRACK = `INSERT INTO device_tracks (device_id, fixed_at, lat, lon, altitude_m, mode, accuracy_m, speed_mps)
SELECT ?, j.value->>0, j.value->>1, j.value->>2, j.value->>3, j.value->>4, j.value->>5, j.value->>6
FROM json_each(?) AS j WHERE true
ON CONFLICT (device_id, fixed_at) DO NOTHING`;

const HEALTH_COLUMNS = [
  "rss_mb",
  "available_mem_mb",
  "disk_free_mb",
  "soc_temp_c",
  "event_loop_lag_ms",
  "writer_queue_depth",
  "guards",
] as const;
const FIX_COLUMNS = ["last_lat", "last_lon"] as const;
const ifNewer = (time: string, column: string) =>
  `${column} = CASE WHEN excluded.${time} > coalesce(device_status.${time}, -1) THEN excluded.${column} ELSE device_status.${column} END`;

const UPSERT_STATUS = `INSERT INTO device_status (device_id, observation_count, last_batch_at, health_sampled_at,
  ${HEALTH_COLUMNS.join(", ")}, last_fix_at, ${FIX_COLUMNS.join(", ")})
SELECT ?, (SELECT count(*) FROM temp.merge_stage), (SELECT received_at FROM landed_batches WHERE ${KEY_WHERE}),
  ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
WHERE true
ON CONFLICT (device_id) DO UPDATE SET
  observation_count = device_status.observation_count + excluded.observation_count,
  last_batch_at = max(coalesce(device_status.last_batch_at, 0), excluded.last_batch_at),
  ${HEALTH_COLUMNS.map((c) => ifNewer("health_sampled_at", c)).join(",\n  ")},
  ${FIX_COLUMNS.map((c) => ifNewer("last_fix_at", c)).join(",\n  ")},
  ${ifNewer("health_sampled_at", "health_sampled_at")},
  ${ifNewer("last_fix_at", "last_fix_at")}`;

/** The step's statements; samples and fixes outside [keepSince, now + 1 day] are left out. */
export function deviceStatusStatements(key: BatchKey, input: DeviceBatchInput, now: number): InStatement[] {
  const plausible = (t: number) => t >= input.keepSince && t <= now + FUTURE_TOLERANCE_MS;
  const health = input.health.filter((h) => plausible(h.sampledAt));
  const track = input.gpsTrack.filter((f) => plausible(f.fixedAt));
  const newest = <T>(rows: readonly T[], time: (r: T) => number): T | undefined =>
    rows.reduce<T | undefined>((a, r) => (a === undefined || time(r) > time(a) ? r : a), undefined);
  const sample = newest(health, (h) => h.sampledAt);
  const fix = newest(track, (f) => f.fixedAt);
  const statements: InStatement[] = [];
  if (health.length > 0) {
    const rows = health.map((h) => [
      h.sampledAt,
      h.rssMb,
      h.availableMemMb,
      h.diskFreeMb,
      h.socTempC,
      h.eventLoopLagMs,
      h.writerQueueDepth,
      guardsJson(h.guards),
    ]);
    statements.push({ sql: INSERT_HEALTH, args: [key.deviceId, JSON.stringify(rows)] });
  }
  if (track.length > 0) {
    const rows = track.map((f) => [f.fixedAt, f.lat, f.lon, f.altitudeM, f.mode, f.accuracyM, f.speedMps]);
    statements.push({ sql: INSERT_TRACK, args: [key.deviceId, JSON.stringify(rows)] });
  }
  statements.push({
    sql: UPSERT_STATUS,
    args: [
      key.deviceId,
      ...keyArgs(key),
      sample?.sampledAt ?? null,
      sample?.rssMb ?? null,
      sample?.availableMemMb ?? null,
      sample?.diskFreeMb ?? null,
      sample?.socTempC ?? null,
      sample?.eventLoopLagMs ?? null,
      sample?.writerQueueDepth ?? null,
      sample === undefined ? null : guardsJson(sample.guards),
      fix?.fixedAt ?? null,
      fix?.lat ?? null,
      fix?.lon ?? null,
    ],
  });
  return statements;
}
