import type { Client, InStatement } from "@libsql/client";
import { type FleetThresholds, HOT_CLEAR_MARGIN_C, LOW_DISK_CLEAR_FACTOR } from "./fleet-thresholds.js";

/*
 * Fleet alerts, in the one alert store (`alerts`, subject_kind 'device', subject_id the device id). Each
 * condition is an episode: it opens an alert when it starts, and the alert is cleared (cleared_at) when the
 * condition ends; while one is open nothing new is raised for that device and type. The dedupe key names the
 * episode, `device_hot:<device>:<n>` for the device's n-th episode of that type (one more than the highest so
 * far, so deleting old alerts never makes a new episode collide with a kept one), so two checks racing (two
 * workers, a re-run job) compute the same key and the unique index keeps one. Hot and low disk clear with
 * hysteresis, so a reading hovering at the threshold does not flap. No batch raised them: device_id, run_id
 * and batch_seq stay null.
 */

interface FleetRule {
  type: string;
  severity: "high" | "medium" | "low";
  /** Over `devices d LEFT JOIN device_status s`: the condition holds. */
  holds: string;
  /** ... and has ended (not simply `NOT holds`: hysteresis). */
  ended: string;
  /** A json_object(...) of what was seen. */
  evidence: string;
}

const active = "d.revoked_at IS NULL";
const lastContact = "coalesce(d.last_seen_at, d.created_at)";

const RULES: FleetRule[] = [
  {
    type: "device_stale",
    severity: "medium",
    holds: `${active} AND ${lastContact} < :now - :staleMs`,
    ended: `NOT (${active} AND ${lastContact} < :now - :staleMs)`,
    evidence: `json_object('lastContactAt', d.last_seen_at, 'registeredAt', d.created_at, 'staleAfterMs', :staleMs)`,
  },
  {
    type: "device_hot",
    severity: "high",
    holds: `${active} AND s.soc_temp_c >= :hotC`,
    ended: `NOT ${active} OR s.soc_temp_c IS NULL OR s.soc_temp_c < :hotC - ${HOT_CLEAR_MARGIN_C}`,
    evidence: `json_object('socTempC', s.soc_temp_c, 'thresholdC', :hotC, 'sampledAt', s.health_sampled_at)`,
  },
  {
    type: "device_low_disk",
    severity: "high",
    holds: `${active} AND s.disk_free_mb < :lowDiskMb`,
    ended: `NOT ${active} OR s.disk_free_mb IS NULL OR s.disk_free_mb >= :lowDiskMb * ${LOW_DISK_CLEAR_FACTOR}`,
    evidence: `json_object('diskFreeMb', s.disk_free_mb, 'thresholdMb', :lowDiskMb, 'sampledAt', s.health_sampled_at)`,
  },
];

export const FLEET_ALERT_TYPES = RULES.map((r) => r.type);

const DEVICES = "devices d LEFT JOIN device_status s ON s.device_id = d.id";
const openAlert = (type: string, device: string) =>
  `SELECT 1 FROM alerts a WHERE a.subject_kind = 'device' AND a.subject_id = ${device} AND a.type = '${type}' AND a.cleared_at IS NULL`;

const raiseSql = (r: FleetRule) => `INSERT INTO alerts (type, severity, subject_kind, subject_id, lat, lon,
  raised_at, dedupe_key, evidence)
SELECT '${r.type}', '${r.severity}', 'device', d.id, s.last_lat, s.last_lon, :now,
  '${r.type}:' || d.id || ':' || (1 + (SELECT coalesce(max(CAST(substr(p.dedupe_key, length('${r.type}:' || d.id || ':') + 1) AS INTEGER)), 0)
    FROM alerts p WHERE p.subject_kind = 'device' AND p.subject_id = d.id AND p.type = '${r.type}')),
  ${r.evidence}
FROM ${DEVICES}
WHERE ${r.holds} AND NOT EXISTS (${openAlert(r.type, "d.id")})
ON CONFLICT (dedupe_key) DO NOTHING`;

const clearSql = (r: FleetRule) => `UPDATE alerts SET cleared_at = :now
WHERE subject_kind = 'device' AND type = '${r.type}' AND cleared_at IS NULL
  AND subject_id IN (SELECT d.id FROM ${DEVICES} WHERE ${r.ended})`;

// The webhook outbox, as the merge's alerts do: one pending delivery per hook for every alert (hooks bound to
// a watchlist entry only get its hits).
const QUEUE_DELIVERIES = `INSERT INTO webhook_deliveries (alert_id, webhook_id, status, created_at)
SELECT a.id, w.id, 'pending', :now FROM alerts a
JOIN webhooks w ON w.disabled_at IS NULL AND w.watchlist_id IS NULL
WHERE a.subject_kind = 'device' AND a.raised_at = :now AND a.type IN (${FLEET_ALERT_TYPES.map((t) => `'${t}'`).join(", ")})
ON CONFLICT DO NOTHING`;

export interface FleetCheckResult {
  raised: Record<string, number>;
  cleared: Record<string, number>;
}

/** One check of the whole fleet, in one write transaction. */
export async function checkFleetAlerts(
  db: Client,
  t: Pick<FleetThresholds, "staleAfterMs" | "hotC" | "lowDiskMb">,
  now: number,
): Promise<FleetCheckResult> {
  const args = { now, staleMs: t.staleAfterMs, hotC: t.hotC, lowDiskMb: t.lowDiskMb };
  const used = (sql: string) =>
    Object.fromEntries(Object.entries(args).filter(([k]) => new RegExp(`:${k}\\b`).test(sql)));
  const statements: InStatement[] = [];
  for (const r of RULES) {
    // clear first: an episode that ended and started again within one period opens a new alert
    statements.push({ sql: clearSql(r), args: used(clearSql(r)) });
    statements.push({ sql: raiseSql(r), args: used(raiseSql(r)) });
  }
  statements.push({ sql: QUEUE_DELIVERIES, args: used(QUEUE_DELIVERIES) });
  const results = await db.batch(statements, "write");
  const result: FleetCheckResult = { raised: {}, cleared: {} };
  RULES.forEach((r, i) => {
    result.cleared[r.type] = results[2 * i]?.rowsAffected ?? 0;
    result.raised[r.type] = results[2 * i + 1]?.rowsAffected ?? 0;
  });
  return result;
}

/** Rows deleted per statement, so a first retention pass over a large table never holds the lock long. */
const RETENTION_CHUNK = 5000;

/** Deletes device_health and device_tracks rows older than the retention; returns how many went. */
export async function pruneDeviceHealth(db: Client, retentionMs: number, now: number): Promise<number> {
  const cutoff = now - retentionMs;
  let deleted = 0;
  for (const [table, time] of [
    ["device_health", "sampled_at"],
    ["device_tracks", "fixed_at"],
  ] as const) {
    for (;;) {
      const rs = await db.execute({
        sql: `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${time} < ? LIMIT ?)`,
        args: [cutoff, RETENTION_CHUNK],
      });
      deleted += rs.rowsAffected;
      if (rs.rowsAffected < RETENTION_CHUNK) break;
    }
  }
  return deleted;
}
