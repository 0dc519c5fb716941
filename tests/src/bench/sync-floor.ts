import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migrationsFolders } from "@piwardrive/migrations";
import { OBSERVATION_SQL_COLUMNS, observationValues, rssiWeight } from "@piwardrive/shared-schema";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import Database from "better-sqlite3";
import { edgeBatches } from "./sync-wire.js";
import { syntheticObservations } from "./synthetic-observations.js";

/*
 * The cloud merge floor of bench:sync: the drain's sightings merged by better-sqlite3 prepared statements,
 * one row per statement, in one process (no HTTP, no queue, no wire decoding), into the cloud schema (the
 * committed migrations: same tables, same indexes) with the cloud's pragmas. What "the same aggregate work"
 * means here (docs/benchmarks.md): per edge batch (5,000 rows) one transaction, as the merge's contract
 * requires (each landed batch merged atomically); in it every observation inserted (ON CONFLICT DO NOTHING,
 * only inserted rows counted) and, per transmitter of the batch, what the merge keeps of it: the as-of
 * history copy (which, as in the merge, copies only while a search cursor is pinned), its distinct days, its device link, its SSID history, and the `networks` row with the
 * centroid sums, strongest sighting, second moments (Chan et al.), radius, day and device counts and
 * confidence, read and written back by primary key. Not in the floor: the alert rules (measured apart by
 * bench:merge-alerts), the OUI vendor lookup and the landed-batch bookkeeping: the floor does less than
 * the merge, never more.
 */

const STAGE_COLUMNS = ["device_id", "run_id", "seq", ...OBSERVATION_SQL_COLUMNS];
const INSERT_OBSERVATION = `INSERT INTO observations (${STAGE_COLUMNS.join(", ")})
VALUES (${STAGE_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`;

const HISTORY_COLUMNS = `kind, ssid, auth_mode, channel, frequency_mhz, vendor, randomized, first_seen,
  last_seen, observation_count, device_count, best_rssi_dbm, best_lat, best_lon, lat, lon, radius_m,
  confidence, created_generation, updated_at`;
// As in the merge: only while a search cursor could need the old row (decision 0022).
const KEEP_HISTORY = `INSERT INTO network_history (mac, generation, ${HISTORY_COLUMNS}, superseded_at)
SELECT mac, ?, ${HISTORY_COLUMNS}, ? FROM networks WHERE mac = ?
  AND changed_generation <= (SELECT paged_generation FROM merge_generation WHERE id = 1)
ON CONFLICT DO NOTHING`;
const INSERT_DAY = "INSERT OR IGNORE INTO network_days (mac, day) VALUES (?, ?)";
const COUNT_DAYS = "SELECT count(*) FROM network_days WHERE mac = ?";
const UPSERT_DEVICE = `INSERT INTO network_devices (mac, device_id, first_seen, last_seen, observations,
  first_generation) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (mac, device_id) DO UPDATE SET observations = observations + excluded.observations,
  first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`;
const COUNT_DEVICES = "SELECT count(*) FROM network_devices WHERE mac = ?";
const UPSERT_SSID = `INSERT INTO ssid_history (mac, ssid, auth_mode, channel, first_seen, last_seen, count)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
  last_seen = max(last_seen, excluded.last_seen), count = count + excluded.count`;
const READ_NETWORK = `SELECT first_seen, last_seen, observation_count, best_rssi_dbm, best_lat, best_lon,
  weight_sum, weighted_lat_sum, weighted_lon_sum, m2_lat, m2_lon, kind, ssid, auth_mode, channel,
  frequency_mhz, created_generation FROM networks WHERE mac = ?`;
const NETWORK_COLUMNS = [
  "mac",
  "kind",
  "ssid",
  "auth_mode",
  "channel",
  "frequency_mhz",
  "first_seen",
  "last_seen",
  "observation_count",
  "device_count",
  "best_rssi_dbm",
  "best_lat",
  "best_lon",
  "weight_sum",
  "weighted_lat_sum",
  "weighted_lon_sum",
  "lat",
  "lon",
  "m2_lat",
  "m2_lon",
  "radius_m",
  "confidence",
  "day_count",
  "created_generation",
  "changed_generation",
  "updated_at",
];
const WRITE_NETWORK = `INSERT INTO networks (${NETWORK_COLUMNS.join(", ")})
VALUES (${NETWORK_COLUMNS.map(() => "?").join(", ")})
ON CONFLICT (mac) DO UPDATE SET ${NETWORK_COLUMNS.slice(1)
  .map((c) => `${c} = excluded.${c}`)
  .join(", ")}`;
const BUMP_GENERATION = `INSERT INTO merge_generation (id, generation, changed_at) VALUES (1, 1, ?)
ON CONFLICT (id) DO UPDATE SET generation = generation + 1, changed_at = excluded.changed_at`;

interface StoredNetwork {
  first_seen: number;
  last_seen: number;
  observation_count: number;
  best_rssi_dbm: number | null;
  best_lat: number | null;
  best_lon: number | null;
  weight_sum: number;
  weighted_lat_sum: number;
  weighted_lon_sum: number;
  m2_lat: number;
  m2_lon: number;
  kind: string;
  ssid: string | null;
  auth_mode: string | null;
  channel: number | null;
  frequency_mhz: number | null;
  created_generation: number | null;
}

type Row = WireObservation;
const latest = <K extends keyof Row>(rows: Row[], key: K): Row[K] | null => {
  let best: Row | undefined;
  for (const r of rows) {
    if (r[key] === null) continue;
    if (!best || r.seenAt > best.seenAt || (r.seenAt === best.seenAt && r.seq > best.seq)) best = r;
  }
  return best ? best[key] : null;
};

/** The batch's weight, mean and M2 (two passes) of one axis over positioned sightings. */
function moments(rows: Row[], axis: "lat" | "lon") {
  let w = 0;
  let s = 0;
  for (const r of rows) {
    const v = r[axis];
    if (r.lat === null || r.lon === null || v === null) continue;
    const weight = rssiWeight(r.rssiDbm);
    w += weight;
    s += weight * v;
  }
  const mean = w > 0 ? s / w : 0;
  let m2 = 0;
  for (const r of rows) {
    const v = r[axis];
    if (r.lat === null || r.lon === null || v === null) continue;
    m2 += rssiWeight(r.rssiDbm) * (v - mean) ** 2;
  }
  return { w, s, mean, m2 };
}

/** Chan et al.: M2 of a + b from the stored sums (a) and the batch's moments (b). */
function combinedM2(oldW: number, oldSum: number, oldM2: number, b: ReturnType<typeof moments>): number {
  if (oldW <= 0 || b.w <= 0) return oldM2 + b.m2;
  const delta = b.mean - oldSum / oldW;
  return oldM2 + b.m2 + (delta * delta * oldW * b.w) / (oldW + b.w);
}

function applySchema(db: Database.Database): void {
  const folder = migrationsFolders.cloud;
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  db.exec("BEGIN");
  for (const f of files) {
    for (const s of readFileSync(join(folder, f), "utf8").split("--> statement-breakpoint")) {
      if (s.trim() !== "") db.exec(s);
    }
  }
  db.exec("COMMIT");
}

export interface FloorResult {
  rows: number;
  inserted: number;
  networks: number;
  seconds: number;
  obsPerSec: number;
}

/**
 * Merges `rows` synthetic sightings (the drain's: same seed, same 5,000-row batches) into a fresh cloud
 * database at `path`; times everything after the schema is in place, batch building included.
 */
export function cloudMergeFloor(
  path: string,
  rows: number,
  seed: number,
  ids = { deviceId: "floor-device", runId: "floor-run" },
): FloorResult {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("temp_store = MEMORY");
  applySchema(db);
  const s = {
    insert: db.prepare(INSERT_OBSERVATION),
    history: db.prepare(KEEP_HISTORY),
    day: db.prepare(INSERT_DAY),
    countDays: db.prepare(COUNT_DAYS).pluck(),
    device: db.prepare(UPSERT_DEVICE),
    countDevices: db.prepare(COUNT_DEVICES).pluck(),
    ssid: db.prepare(UPSERT_SSID),
    read: db.prepare(READ_NETWORK),
    write: db.prepare(WRITE_NETWORK),
    bump: db.prepare(BUMP_GENERATION),
    generation: db.prepare("SELECT generation FROM merge_generation WHERE id = 1").pluck(),
  };
  let inserted = 0;
  const started = performance.now();
  for (const batch of edgeBatches(syntheticObservations({ rows, seed }), ids)) {
    const now = Date.now();
    db.exec("BEGIN IMMEDIATE");
    const generation = (Number(s.generation.get() ?? 0) || 0) + 1;
    const byMac = new Map<string, Row[]>();
    for (const o of batch.observations) {
      const done = s.insert.run(ids.deviceId, ids.runId, o.seq, ...observationValues(o));
      if (done.changes === 0) continue;
      inserted++;
      const list = byMac.get(o.mac);
      if (list) list.push(o);
      else byMac.set(o.mac, [o]);
    }
    for (const [mac, list] of byMac) mergeNetwork(s, mac, list, ids.deviceId, generation, now);
    if (byMac.size > 0) s.bump.run(now);
    db.exec("COMMIT");
  }
  const seconds = (performance.now() - started) / 1000;
  const networks = Number(db.prepare("SELECT count(*) FROM networks").pluck().get());
  db.close();
  return { rows, inserted, networks, seconds, obsPerSec: rows / seconds };
}

type Statements = Record<
  "insert" | "history" | "day" | "countDays" | "device" | "countDevices" | "ssid" | "read" | "write",
  Database.Statement
>;

function mergeNetwork(
  s: Statements,
  mac: string,
  list: Row[],
  deviceId: string,
  generation: number,
  now: number,
): void {
  s.history.run(generation, now, mac);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let best: Row | undefined;
  const days = new Set<number>();
  const ssids = new Map<string, { key: unknown[]; first: number; last: number; count: number }>();
  for (const r of list) {
    first = Math.min(first, r.seenAt);
    last = Math.max(last, r.seenAt);
    if (r.rssiDbm !== null && (!best || r.rssiDbm > (best.rssiDbm ?? -1000))) best = r;
    days.add(Math.floor(r.seenAt / 86_400_000));
    if (r.kind !== "wifi") continue;
    const key = [r.ssid ?? "", r.authMode ?? "", r.channel ?? -1];
    const id = JSON.stringify(key);
    const seen = ssids.get(id);
    if (seen) {
      seen.first = Math.min(seen.first, r.seenAt);
      seen.last = Math.max(seen.last, r.seenAt);
      seen.count++;
    } else ssids.set(id, { key, first: r.seenAt, last: r.seenAt, count: 1 });
  }
  for (const day of days) s.day.run(mac, day);
  s.device.run(mac, deviceId, first, last, list.length, generation);
  for (const h of ssids.values()) s.ssid.run(mac, ...h.key, h.first, h.last, h.count);
  const dayCount = Number(s.countDays.get(mac));
  const deviceCount = Number(s.countDevices.get(mac));

  const old = s.read.get(mac) as StoredNetwork | undefined;
  const lat = moments(list, "lat");
  const lon = moments(list, "lon");
  const w = (old?.weight_sum ?? 0) + lat.w;
  const wlat = (old?.weighted_lat_sum ?? 0) + lat.s;
  const wlon = (old?.weighted_lon_sum ?? 0) + lon.s;
  const m2Lat = combinedM2(old?.weight_sum ?? 0, old?.weighted_lat_sum ?? 0, old?.m2_lat ?? 0, lat);
  const m2Lon = combinedM2(old?.weight_sum ?? 0, old?.weighted_lon_sum ?? 0, old?.m2_lon ?? 0, lon);
  const cLat = w > 0 ? wlat / w : null;
  const cLon = w > 0 ? wlon / w : null;
  const radius =
    cLat === null
      ? null
      : Math.sqrt(
          (Math.max(m2Lat, 0) / w) * 111_320 ** 2 +
            (Math.max(m2Lon, 0) / w) * (111_320 * Math.cos((cLat * Math.PI) / 180)) ** 2,
        );
  const count = (old?.observation_count ?? 0) + list.length;
  const confidence =
    Number(count >= 3) +
    Number(count >= 10) +
    Number(dayCount >= 2) +
    Number(dayCount >= 7) +
    Number(deviceCount >= 2) +
    Number(deviceCount >= 3) +
    Number(count >= 3 && radius !== null && radius <= 100);
  const newer = old === undefined || last >= old.last_seen;
  const pick = <T>(fresh: T | null, stored: T | null | undefined): T | null =>
    (newer ? (fresh ?? stored) : (stored ?? fresh)) ?? null;
  const stronger = best !== undefined && (best.rssiDbm ?? -1000) > (old?.best_rssi_dbm ?? -1000);
  s.write.run(
    mac,
    newer ? latest(list, "kind") : (old?.kind ?? latest(list, "kind")),
    pick(latest(list, "ssid"), old?.ssid),
    pick(latest(list, "authMode"), old?.auth_mode),
    pick(latest(list, "channel"), old?.channel),
    pick(latest(list, "frequencyMhz"), old?.frequency_mhz),
    Math.min(first, old?.first_seen ?? first),
    Math.max(last, old?.last_seen ?? last),
    count,
    deviceCount,
    stronger ? best?.rssiDbm : (old?.best_rssi_dbm ?? null),
    stronger ? best?.lat : (old?.best_lat ?? null),
    stronger ? best?.lon : (old?.best_lon ?? null),
    w,
    wlat,
    wlon,
    cLat,
    cLon,
    m2Lat,
    m2Lon,
    radius,
    confidence,
    dayCount,
    old?.created_generation ?? generation,
    generation,
    now,
  );
}
