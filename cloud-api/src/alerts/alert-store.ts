import type { Client, InValue, Row } from "@libsql/client";
import { exactText, nulSafeBytes } from "../db/nul-safe-text.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";

export interface Alert {
  id: number;
  type: string;
  severity: string;
  subject: { kind: string; id: string };
  ssid: string | null;
  location: { lat: number; lon: number } | null;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** The batch whose merge raised it. */
  batch: { deviceId: string; runId: string; batchSeq: number } | null;
  evidence: unknown;
}

export interface AlertFilter {
  type?: string;
  mac?: string;
  ssid?: string;
  bbox?: [number, number, number, number];
  since?: number;
  until?: number;
  acknowledged?: boolean;
  /** Keyset: only alerts with a smaller id (newest first). */
  beforeId?: number;
  limit: number;
}

/** Alerts newest first, keyset-paged on id (ids only grow, so pages never repeat or skip). */
export async function listAlerts(
  db: Client,
  filter: AlertFilter,
): Promise<{ alerts: Alert[]; nextBeforeId: number | null }> {
  const where: string[] = [];
  const args: InValue[] = [];
  const add = (sql: string, ...values: InValue[]) => {
    where.push(sql);
    args.push(...values);
  };
  if (filter.type !== undefined) add("type = ?", filter.type);
  if (filter.mac !== undefined) add("subject_kind = 'network' AND subject_id = ?", filter.mac);
  if (filter.ssid !== undefined) add("ssid = ?", filter.ssid);
  if (filter.bbox !== undefined) {
    const [minLon, minLat, maxLon, maxLat] = filter.bbox;
    add("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?", minLon, maxLon, minLat, maxLat);
  }
  if (filter.since !== undefined) add("raised_at >= ?", filter.since);
  if (filter.until !== undefined) add("raised_at < ?", filter.until);
  if (filter.acknowledged !== undefined) add(`acknowledged_at IS ${filter.acknowledged ? "NOT " : ""}NULL`);
  if (filter.beforeId !== undefined) add("id < ?", filter.beforeId);
  const rs = await db.execute({
    sql: `SELECT *, ${nulSafeBytes("ssid")} FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
    args: [...args, filter.limit + 1],
  });
  const rows = rs.rows.slice(0, filter.limit).map(toAlert);
  const more = rs.rows.length > filter.limit;
  return { alerts: rows, nextBeforeId: more ? (rows[rows.length - 1]?.id ?? null) : null };
}

/** The alerts about one network, newest first (for GET /v1/networks/{mac}). */
export async function networkAlerts(db: Client, mac: string, limit = 100): Promise<Alert[]> {
  return (await listAlerts(db, { mac, limit })).alerts;
}

/** Marks an alert seen by someone; acknowledging twice keeps the first. */
export async function acknowledgeAlert(db: Client, id: number, by: string, now = Date.now()): Promise<Alert> {
  if (!Number.isSafeInteger(id) || id <= 0) throw new InvalidArgumentError("id: a positive integer");
  // An acknowledgement changes what the network detail shows: it bumps the merge generation (in the same
  // transaction, only when it changed the row) so cached analyst answers keyed on it are renewed.
  await db.batch(
    [
      {
        sql: "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL",
        args: [now, by, id],
      },
      {
        sql: "UPDATE merge_generation SET generation = generation + 1, changed_at = ? WHERE id = 1 AND changes() > 0",
        args: [now],
      },
    ],
    "write",
  );
  const rs = await db.execute({
    sql: `SELECT *, ${nulSafeBytes("ssid")} FROM alerts WHERE id = ?`,
    args: [id],
  });
  const row = rs.rows[0];
  if (row === undefined) throw new NotFoundError(`no alert ${id}`);
  return toAlert(row);
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

function toAlert(r: Row): Alert {
  return {
    id: Number(r.id),
    type: String(r.type),
    severity: String(r.severity),
    subject: { kind: String(r.subject_kind), id: String(r.subject_id) },
    ssid: exactText(r.ssid, r.ssid_bytes),
    location: r.lat === null || r.lon === null ? null : { lat: Number(r.lat), lon: Number(r.lon) },
    raisedAt: iso(r.raised_at) ?? "",
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by === null ? null : String(r.acknowledged_by),
    batch:
      r.device_id === null
        ? null
        : { deviceId: String(r.device_id), runId: String(r.run_id), batchSeq: Number(r.batch_seq) },
    evidence: evidenceView(JSON.parse(String(r.evidence))),
  };
}

/** The stored evidence with each sighting's time as ISO 8601 UTC (the merge writes epoch ms). */
function evidenceView(evidence: { sightings?: Array<{ seenAt?: unknown }> }): unknown {
  const sightings = (evidence.sightings ?? []).map((s) => ({ ...s, seenAt: iso(s.seenAt) }));
  return { ...evidence, sightings };
}
