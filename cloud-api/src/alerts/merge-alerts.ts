import type { InStatement } from "@libsql/client";
import type { BatchKey } from "../services/batch-key.js";
import { type AlertRules, type AlertType, authStrengthSql, distanceMSql } from "./alert-rules.js";

/*
 * The network alert rules as statements of the merge's transaction. They run after the batch's new rows are
 * staged (temp.merge_stage holds exactly the rows this merge inserts) and BEFORE the networks aggregate is
 * updated, so `networks` still says what was known before this batch. Each rule selects its hits (a staged
 * sighting and what it contradicts), groups them per condition, and inserts one alert per condition; the
 * unique dedupe key makes a condition raise once, ever, and a replayed batch stages nothing.
 */

interface Rule {
  type: AlertType;
  severity: "high" | "medium" | "low";
  /** Selects seq, mac, ssid, seen_at, rssi_dbm, lat, lon of the staged sighting, and g1 (known) / g2 (seen). */
  hits: string;
}

const STAGED = "s.seq, s.mac, s.ssid, s.seen_at, s.rssi_dbm, s.lat, s.lon";
const known = (a: string, b: string) => `${authStrengthSql(a)} - ${authStrengthSql(b)} >= :steps`;

/*
 * The three rules that compare a staged Wi-Fi sighting with its own network's row read one table: the
 * staged sightings whose auth mode, SSID or channel differ from what `networks` knew, with that row's
 * values beside them (n_*). Filled in one pass over the stage (one primary-key lookup per sighting,
 * instead of one per sighting per rule); on a batch of known networks seen unchanged it stays empty.
 */
const CREATE_CHANGED = `CREATE TEMP TABLE IF NOT EXISTS merge_changed (seq INTEGER, mac TEXT, ssid TEXT,
  seen_at INTEGER, rssi_dbm INTEGER, lat REAL, lon REAL, auth_mode TEXT, channel INTEGER, n_auth_mode TEXT,
  n_ssid TEXT, n_channel INTEGER, n_randomized INTEGER)`;
const CLEAR_CHANGED = "DELETE FROM temp.merge_changed";
// CROSS JOIN keeps the stage (this batch's rows) the outer loop: the TEMP stage has no statistics, so
// once ANALYZE has run SQLite would otherwise scan all of networks and probe the stage (hot-statements.test).
const FILL_CHANGED = `INSERT INTO temp.merge_changed SELECT ${STAGED}, s.auth_mode, s.channel, n.auth_mode, n.ssid,
  n.channel, n.randomized FROM temp.merge_stage s CROSS JOIN networks n ON n.mac = s.mac
  WHERE s.kind = 'wifi' AND (s.auth_mode IS NOT n.auth_mode OR s.ssid IS NOT n.ssid OR s.channel IS NOT n.channel)`;

const RULES: Rule[] = [
  {
    // The same network name on the same BSSID, now weaker (Kismet compares crypto per advertised SSID too):
    // a BSSID that also changed its name lures no client of the known network (ssid_change reports it).
    // A hidden beacon (no SSID) is the same network.
    type: "encryption_downgrade",
    severity: "high",
    hits: `SELECT ${STAGED}, s.n_auth_mode AS g1, s.auth_mode AS g2 FROM temp.merge_changed s
      WHERE ${known("s.n_auth_mode", "s.auth_mode")} AND (s.ssid IS NULL OR s.n_ssid IS NULL OR s.ssid = s.n_ssid)`,
  },
  {
    // Not on a randomized (locally administered) BSSID: a phone hotspot or soft AP takes a new name and
    // channel whenever its owner says so, and its address is not a vendor-assigned identity to watch.
    type: "ssid_change",
    severity: "medium",
    hits: `SELECT ${STAGED}, s.n_ssid AS g1, s.ssid AS g2 FROM temp.merge_changed s
      WHERE s.ssid <> s.n_ssid AND s.n_randomized = 0`,
  },
  {
    type: "channel_change",
    severity: "low",
    hits: `SELECT ${STAGED}, CAST(s.n_channel AS TEXT) AS g1, CAST(s.channel AS TEXT) AS g2 FROM temp.merge_changed s
      WHERE s.channel <> s.n_channel AND s.n_randomized = 0`,
  },
  {
    // A BSSID never seen before announcing a known SSID with a weaker auth mode, near the known one. Only the
    // first staged sighting of each (new BSSID, SSID, auth mode) is compared: a busy SSID has many known
    // BSSIDs, and comparing every sighting with each of them would cost sightings x BSSIDs per merge.
    type: "evil_twin",
    severity: "high",
    hits: `SELECT ${STAGED}, k.mac AS g1, s.auth_mode AS g2
      FROM (SELECT min(seq) AS seq FROM temp.merge_stage
        WHERE kind = 'wifi' AND ssid IS NOT NULL AND lat IS NOT NULL GROUP BY mac, ssid, auth_mode) AS first
      JOIN temp.merge_stage s ON s.seq = first.seq
      JOIN networks k ON k.ssid = s.ssid AND k.lat BETWEEN s.lat - :radiusDeg AND s.lat + :radiusDeg
      WHERE k.mac <> s.mac AND k.kind = 'wifi'
        AND NOT EXISTS (SELECT 1 FROM networks n WHERE n.mac = s.mac)
        AND ${known("k.auth_mode", "s.auth_mode")}
        AND ${distanceMSql("s.lat", "s.lon", "k.lat", "k.lon")} <= :radius`,
  },
  {
    type: "watchlist_hit",
    severity: "medium",
    hits: `SELECT ${STAGED}, CAST(w.id AS TEXT) AS g1, w.type AS g2 FROM watchlist w JOIN temp.merge_stage s ON
      (w.type = 'mac' AND s.mac = w.match) OR (w.type = 'oui' AND substr(s.mac, 1, length(w.match)) = w.match)
      OR (w.type = 'ssid' AND s.ssid = w.match) OR (w.type = 'ssid_pattern' AND lower(s.ssid) GLOB w.match)`,
  },
];

function ruleSql(rule: Rule): string {
  const watchlistId = rule.type === "watchlist_hit" ? "CAST(g.g1 AS INTEGER)" : "NULL";
  return `WITH h AS MATERIALIZED (${rule.hits}),
g AS (SELECT mac, g1, g2, min(seq) AS first_seq,
    json_group_array(json_object('deviceId', :dev, 'runId', :run, 'seq', seq, 'seenAt', seen_at,
      'rssiDbm', rssi_dbm, 'lat', lat, 'lon', lon)) FILTER (WHERE rn <= :evidence) AS sightings
  FROM (SELECT *, row_number() OVER (PARTITION BY mac, g1, g2 ORDER BY seq) AS rn FROM h) GROUP BY mac, g1, g2)
INSERT INTO alerts (type, severity, subject_kind, subject_id, ssid, lat, lon, raised_at, dedupe_key, evidence,
  watchlist_id, device_id, run_id, batch_seq)
SELECT '${rule.type}', '${rule.severity}', 'network', g.mac, f.ssid, f.lat, f.lon, :now,
  '${rule.type}:' || g.mac || ':' || coalesce(g.g1, '') || '>' || coalesce(g.g2, ''),
  json_object('known', g.g1, 'seen', g.g2, 'sightings', json(g.sightings)), ${watchlistId}, :dev, :run, :bseq
FROM g JOIN h AS f ON f.seq = g.first_seq AND f.mac = g.mac AND f.g1 IS g.g1 AND f.g2 IS g.g2
WHERE true
ON CONFLICT (dedupe_key) DO NOTHING`;
}

const RULE_SQL = new Map(RULES.map((rule) => [rule.type, ruleSql(rule)]));

// The webhook outbox: one pending delivery per alert this transaction raised and per hook that wants it.
const QUEUE_DELIVERIES = `INSERT INTO webhook_deliveries (alert_id, webhook_id, status, created_at)
SELECT a.id, w.id, 'pending', :now FROM alerts a
JOIN webhooks w ON w.disabled_at IS NULL AND (w.watchlist_id IS NULL OR w.watchlist_id = a.watchlist_id)
WHERE a.device_id = :dev AND a.run_id = :run AND a.batch_seq = :bseq AND a.raised_at = :now
ON CONFLICT DO NOTHING`;

/** The rules' statements for one merge; none when the rules are off. */
export function alertStatements(key: BatchKey, now: number, rules: AlertRules): InStatement[] {
  if (!rules.enabled) return [];
  const args = {
    dev: key.deviceId,
    run: key.runId,
    bseq: key.batchSeq,
    now,
    steps: rules.downgradeMinSteps,
    radius: rules.evilTwinRadiusM,
    // metres of latitude are the same everywhere: the band the index narrows the candidates to
    radiusDeg: rules.evilTwinRadiusM / 111_320,
    evidence: rules.evidenceSightings,
  };
  const used = (sql: string) =>
    Object.fromEntries(Object.entries(args).filter(([k]) => sql.includes(`:${k}`)));
  const rulesSql = [...RULE_SQL]
    .filter(([type]) => rules.only === undefined || rules.only.includes(type))
    .map(([, sql]) => sql);
  return [CREATE_CHANGED, CLEAR_CHANGED, FILL_CHANGED, ...rulesSql, QUEUE_DELIVERIES].map((sql) => ({
    sql,
    args: used(sql),
  }));
}
