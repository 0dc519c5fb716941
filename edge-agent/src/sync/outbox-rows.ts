import type { Row } from "@libsql/client";
import type { GpsFixRecord, ObservationKind } from "@piwardrive/shared-schema";
import type { WireHealthSample, WireObservation } from "@piwardrive/shared-schema/wire";
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

const OBSERVATION_SELECT = `SELECT seq, run_id, kind, mac, ssid, auth_mode, capabilities, seen_at, channel,
  frequency_mhz, rssi_dbm, rssi_estimated, lat, lon, altitude_m, accuracy_m, rcois, mfgr_id, source
  FROM observations`;
const FIX_SELECT = `SELECT id, fixed_at, lat, lon, altitude_m, mode, accuracy_m, hdop, speed_mps, track_deg, source
  FROM gps_fixes`;
const HEALTH_SELECT = `SELECT id, sampled_at, rss_mb, available_mem_mb, disk_free_mb, soc_temp_c, event_loop_lag_ms,
  writer_queue_depth FROM health_samples`;

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
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toObservation(r: Row): OutboxObservation {
  return {
    seq: num(r.seq),
    runId: String(r.run_id),
    kind: String(r.kind) as ObservationKind,
    mac: String(r.mac),
    ssid: strOrNull(r.ssid),
    authMode: strOrNull(r.auth_mode),
    capabilities: strOrNull(r.capabilities),
    seenAt: num(r.seen_at),
    channel: numOrNull(r.channel),
    frequencyMhz: numOrNull(r.frequency_mhz),
    rssiDbm: numOrNull(r.rssi_dbm),
    rssiEstimated: num(r.rssi_estimated) !== 0,
    lat: numOrNull(r.lat),
    lon: numOrNull(r.lon),
    altitudeM: numOrNull(r.altitude_m),
    accuracyM: numOrNull(r.accuracy_m),
    rcois: strOrNull(r.rcois),
    mfgrId: numOrNull(r.mfgr_id),
    source: String(r.source),
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
  };
}
