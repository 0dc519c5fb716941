import type { Client, Row } from "@libsql/client";
import { InvalidArgumentError, NotFoundError } from "../errors.js";

/*
 * The operator's view of the fleet: one row per registered device from devices (registration, last contact)
 * and device_status (what its merged batches and its uploads' headers said), and one device's health series
 * and track over a time range. Times leave as ISO 8601 UTC.
 */

export interface GuardStates {
  memory: "none" | "moderate" | "critical";
  diskBelowFloor: boolean;
  hot: boolean;
  lagging: boolean;
  scanIntervalMultiplier: number;
}

export interface HealthSample {
  sampledAt: string;
  rssMb: number | null;
  availableMemMb: number | null;
  diskFreeMb: number | null;
  socTempC: number | null;
  eventLoopLagMs: number | null;
  writerQueueDepth: number | null;
  /** null: the agent predates guard states on the wire. */
  guards: GuardStates | null;
}

export interface DeviceView {
  id: string;
  name: string;
  revoked: boolean;
  /** Its last upload of any kind (a duplicate counts: the device was there). */
  lastContactAt: string | null;
  /** When its newest merged batch was received. */
  lastBatchAt: string | null;
  /** Sightings of this device in observations. */
  observations: number;
  /** Sightings still in its outbox, as it reported with its last upload (null: never reported). */
  backlog: number | null;
  agentVersion: string | null;
  health: HealthSample | null;
  lastPosition: { lat: number; lon: number; fixedAt: string } | null;
  /** Not revoked and no contact (or, never seen, no registration) for longer than the stale time. */
  stale: boolean;
}

export interface TrackPoint {
  fixedAt: string;
  lat: number;
  lon: number;
  altitudeM: number | null;
  mode: number;
  accuracyM: number | null;
  speedMps: number | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const DEVICE_SELECT = `SELECT d.id, d.name, d.created_at, d.revoked_at, d.last_seen_at, s.observation_count,
  s.last_batch_at, s.agent_version, s.backlog, s.health_sampled_at, s.rss_mb, s.available_mem_mb, s.disk_free_mb,
  s.soc_temp_c, s.event_loop_lag_ms, s.writer_queue_depth, s.guards, s.last_fix_at, s.last_lat, s.last_lon
FROM devices d LEFT JOIN device_status s ON s.device_id = d.id`;

function toHealth(r: Row, time: string): HealthSample {
  return {
    sampledAt: iso(r[time]) ?? "",
    rssMb: numOrNull(r.rss_mb),
    availableMemMb: numOrNull(r.available_mem_mb),
    diskFreeMb: numOrNull(r.disk_free_mb),
    socTempC: numOrNull(r.soc_temp_c),
    eventLoopLagMs: numOrNull(r.event_loop_lag_ms),
    writerQueueDepth: numOrNull(r.writer_queue_depth),
    guards: r.guards === null ? null : (JSON.parse(String(r.guards)) as GuardStates),
  };
}

function toDeviceView(r: Row, now: number, staleAfterMs: number): DeviceView {
  const revoked = r.revoked_at !== null;
  const contact = numOrNull(r.last_seen_at);
  return {
    id: String(r.id),
    name: String(r.name),
    revoked,
    lastContactAt: iso(contact),
    lastBatchAt: iso(r.last_batch_at),
    observations: Number(r.observation_count ?? 0),
    backlog: numOrNull(r.backlog),
    agentVersion: r.agent_version === null ? null : String(r.agent_version),
    health: r.health_sampled_at === null ? null : toHealth(r, "health_sampled_at"),
    lastPosition:
      r.last_fix_at === null
        ? null
        : { lat: Number(r.last_lat), lon: Number(r.last_lon), fixedAt: iso(r.last_fix_at) ?? "" },
    stale: !revoked && now - (contact ?? Number(r.created_at)) > staleAfterMs,
  };
}

export interface FleetViewOptions {
  now: number;
  staleAfterMs: number;
}

/** Every registered device, by name. */
export async function listDeviceViews(db: Client, o: FleetViewOptions): Promise<DeviceView[]> {
  const rs = await db.execute(`${DEVICE_SELECT} ORDER BY d.name, d.id`);
  return rs.rows.map((r) => toDeviceView(r, o.now, o.staleAfterMs));
}

/** Points returned per series at most; `truncated` says when a range held more. */
export const MAX_SERIES_POINTS = 10_000;

export interface DeviceDetail {
  device: DeviceView;
  since: string;
  until: string;
  health: HealthSample[];
  track: TrackPoint[];
  truncated: { health: boolean; track: boolean };
}

/** One device with its health series and track in [since, until), oldest first. */
export async function getDeviceDetail(
  db: Client,
  id: string,
  range: { since: number; until: number },
  o: FleetViewOptions,
): Promise<DeviceDetail> {
  if (range.since >= range.until) throw new InvalidArgumentError("since: must be before until");
  const rs = await db.execute({ sql: `${DEVICE_SELECT} WHERE d.id = ?`, args: [id] });
  const row = rs.rows[0];
  if (row === undefined) throw new NotFoundError(`no device ${id}`);
  const args = [id, range.since, range.until, MAX_SERIES_POINTS + 1];
  const health = await db.execute({
    sql: `SELECT * FROM device_health WHERE device_id = ? AND sampled_at >= ? AND sampled_at < ?
      ORDER BY sampled_at LIMIT ?`,
    args,
  });
  const track = await db.execute({
    sql: `SELECT * FROM device_tracks WHERE device_id = ? AND fixed_at >= ? AND fixed_at < ?
      ORDER BY fixed_at LIMIT ?`,
    args,
  });
  return {
    device: toDeviceView(row, o.now, o.staleAfterMs),
    since: iso(range.since) ?? "",
    until: iso(range.until) ?? "",
    health: health.rows.slice(0, MAX_SERIES_POINTS).map((r) => toHealth(r, "sampled_at")),
    track: track.rows.slice(0, MAX_SERIES_POINTS).map((r) => ({
      fixedAt: iso(r.fixed_at) ?? "",
      lat: Number(r.lat),
      lon: Number(r.lon),
      altitudeM: numOrNull(r.altitude_m),
      mode: Number(r.mode),
      accuracyM: numOrNull(r.accuracy_m),
      speedMps: numOrNull(r.speed_mps),
    })),
    truncated: {
      health: health.rows.length > MAX_SERIES_POINTS,
      track: track.rows.length > MAX_SERIES_POINTS,
    },
  };
}
