import type { Row } from "@libsql/client";
import type { GpsFixRecord, ObservationKind } from "@piwardrive/shared-schema/domain";
import type { WireGuardStates, WireHealthSample, WireObservation } from "@piwardrive/shared-schema/wire";
import type { EdgeStore } from "../store/edge-store.js";

/** The outbox's reads: observations by seq, GPS fixes and health samples by row id. */

export interface OutboxObservation extends WireObservation {
  runId: string;
}
export interface OutboxFix extends GpsFixRecord {
  id: number;
}
export interface OutboxHealth extends WireHealthSample {
  id: number;
}

/*
 * The integer and text columns travel as one JSON array per row, the REAL ones as plain columns:
 * @libsql/client builds every row object with two defineProperty calls per column, which made this read
 * (~19 columns) the edge's biggest cost; 5 columns cut it by ~3x. JSON is exact for integers and text,
 * but SQLite prints REALs in JSON with 15 digits, so positions, altitude and accuracy stay native doubles.
 */
const OBSERVATION_SELECT = `SELECT json_array(seq, run_id, kind, mac, ssid, auth_mode, capabilities, seen_at,
  channel, frequency_mhz, rssi_dbm, rssi_estimated, rcois, mfgr_id, source) AS j,
  lat, lon, altitude_m, accuracy_m
  FROM observations`;
const FIX_SELECT = `SELECT id, fixed_at, lat, lon, altitude_m, mode, accuracy_m, hdop, speed_mps, track_deg, source
  FROM gps_fixes`;
const HEALTH_SELECT = `SELECT id, sampled_at, rss_mb, available_mem_mb, disk_free_mb, soc_temp_c, event_loop_lag_ms,
  writer_queue_depth, guards FROM health_samples`;

/** Observations after `seq`, in seq order (all runs: the caller cuts the batch at a run change). */
export async function observationsAfter(store: EdgeStore, seq: number, limit: number) {
  const rs = await store.execute({
    sql: `${OBSERVATION_SELECT} WHERE seq > ? ORDER BY seq LIMIT ?`,
    args: [seq, limit],
  });
  return rs.rows.map(toObservation);
}

/** Exactly the rows of a plan: its run, within its seq range. */
export async function observationsOfRun(store: EdgeStore, runId: string, firstSeq: number, lastSeq: number) {
  const rs = await store.execute({
    sql: `${OBSERVATION_SELECT} WHERE seq BETWEEN ? AND ? AND run_id = ? ORDER BY seq`,
    args: [firstSeq, lastSeq, runId],
  });
  return rs.rows.map(toObservation);
}

export async function fixesBetween(store: EdgeStore, afterId: number, lastId: number, limit: number) {
  const rs = await store.execute({
    sql: `${FIX_SELECT} WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`,
    args: [afterId, lastId, limit],
  });
  return rs.rows.map(toFix);
}

export async function healthBetween(store: EdgeStore, afterId: number, lastId: number, limit: number) {
  const rs = await store.execute({
    sql: `${HEALTH_SELECT} WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`,
    args: [afterId, lastId, limit],
  });
  return rs.rows.map(toHealth);
}

/** Observations with seq > acked_seq: what still has to reach the cloud. */
export async function countAfter(store: EdgeStore, seq: number): Promise<number> {
  const rs = await store.execute({
    sql: "SELECT count(*) AS n FROM observations WHERE seq > ?",
    args: [seq],
  });
  return Number(rs.rows[0]?.n ?? 0);
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

type PackedObservation = [
  seq: number,
  runId: string,
  kind: ObservationKind,
  mac: string,
  ssid: string | null,
  authMode: string | null,
  capabilities: string | null,
  seenAt: number,
  channel: number | null,
  frequencyMhz: number | null,
  rssiDbm: number | null,
  rssiEstimated: number,
  rcois: string | null,
  mfgrId: number | null,
  source: string,
];

function toObservation(r: Row): OutboxObservation {
  const [
    seq,
    runId,
    kind,
    mac,
    ssid,
    authMode,
    capabilities,
    seenAt,
    channel,
    frequencyMhz,
    rssiDbm,
    est,
    rcois,
    mfgrId,
    source,
  ] = JSON.parse(String(r.j)) as PackedObservation;
  return {
    seq,
    runId,
    kind,
    mac,
    ssid,
    authMode,
    capabilities,
    seenAt,
    channel,
    frequencyMhz,
    rssiDbm,
    rssiEstimated: est !== 0,
    lat: numOrNull(r.lat),
    lon: numOrNull(r.lon),
    altitudeM: numOrNull(r.altitude_m),
    accuracyM: numOrNull(r.accuracy_m),
    rcois,
    mfgrId,
    source,
  };
}

function toFix(r: Row): OutboxFix {
  return {
    id: num(r.id),
    fixedAt: num(r.fixed_at),
    lat: num(r.lat),
    lon: num(r.lon),
    altitudeM: numOrNull(r.altitude_m),
    mode: num(r.mode),
    accuracyM: numOrNull(r.accuracy_m),
    hdop: numOrNull(r.hdop),
    speedMps: numOrNull(r.speed_mps),
    trackDeg: numOrNull(r.track_deg),
    source: String(r.source),
  };
}

function toHealth(r: Row): OutboxHealth {
  return {
    id: num(r.id),
    sampledAt: num(r.sampled_at),
    rssMb: numOrNull(r.rss_mb),
    availableMemMb: numOrNull(r.available_mem_mb),
    diskFreeMb: numOrNull(r.disk_free_mb),
    socTempC: numOrNull(r.soc_temp_c),
    eventLoopLagMs: numOrNull(r.event_loop_lag_ms),
    writerQueueDepth: numOrNull(r.writer_queue_depth),
    ...guardStates(r.guards),
  };
}

/**
 * The guard states out of the sample's `guards` JSON (what resource-guards.ts records: the decisions, their
 * reasons, actions, the writer's stats). Only the states travel; a sample without them (an older row, or
 * one written by hand) travels without `guards`.
 */
function guardStates(json: unknown): { guards?: WireGuardStates } {
  let g: Record<string, { level?: unknown; belowFloor?: unknown; hot?: unknown; lagging?: unknown }>;
  try {
    g = JSON.parse(String(json));
  } catch {
    return {};
  }
  const memory = g?.memory?.level;
  const multiplier = (g as { scanIntervalMultiplier?: unknown })?.scanIntervalMultiplier;
  const states = {
    memory,
    diskBelowFloor: g?.disk?.belowFloor,
    hot: g?.heat?.hot,
    lagging: g?.lag?.lagging,
    scanIntervalMultiplier: multiplier,
  };
  const valid =
    (memory === "none" || memory === "moderate" || memory === "critical") &&
    typeof states.diskBelowFloor === "boolean" &&
    typeof states.hot === "boolean" &&
    typeof states.lagging === "boolean" &&
    typeof multiplier === "number" &&
    multiplier > 0 &&
    multiplier <= 1000;
  return valid ? { guards: states as WireGuardStates } : {};
}
