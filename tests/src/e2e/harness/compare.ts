import type { Client, Row } from "@libsql/client";
import { OBSERVATION_SQL_COLUMNS } from "@piwardrive/shared-schema";
import type { CloudHarness } from "./cloud.js";
import type { EdgeHarness } from "./edge.js";

/** The observation columns edge and cloud share (the cloud adds device_id). */
export const OBSERVATION_COLUMNS = ["run_id", "seq", ...OBSERVATION_SQL_COLUMNS] as const;

export type ObservationRow = Record<(typeof OBSERVATION_COLUMNS)[number], unknown>;

function plain(row: Row): ObservationRow {
  const out: Record<string, unknown> = {};
  for (const c of OBSERVATION_COLUMNS) out[c] = typeof row[c] === "bigint" ? Number(row[c]) : row[c];
  return out as ObservationRow;
}

async function observations(db: Client, where: string, args: string[]): Promise<Map<string, ObservationRow>> {
  const rs = await db.execute({
    sql: `SELECT ${OBSERVATION_COLUMNS.join(", ")} FROM observations ${where} ORDER BY run_id, seq`,
    args,
  });
  return new Map(rs.rows.map((r) => [`${String(r.run_id)}#${Number(r.seq)}`, plain(r)]));
}

/** Every edge observation keyed by `run_id#seq`. */
export function edgeObservations(edge: EdgeHarness): Promise<Map<string, ObservationRow>> {
  return edge.query((db) => observations(db, "", []));
}

/** Every cloud observation of one device keyed by `run_id#seq` (the cloud's primary key makes each unique). */
export function cloudObservations(
  cloud: CloudHarness,
  deviceId: string,
): Promise<Map<string, ObservationRow>> {
  return observations(cloud.db, "WHERE device_id = ?", [deviceId]);
}

export interface NetworkAggregate {
  mac: string;
  observations: number;
  firstSeen: number;
  lastSeen: number;
}

const AGGREGATE = "mac, count(*) AS n, min(seen_at) AS first, max(seen_at) AS last";

function toAggregates(rows: Row[]): NetworkAggregate[] {
  return rows.map((r) => ({
    mac: String(r.mac),
    observations: Number(r.n),
    firstSeen: Number(r.first),
    lastSeen: Number(r.last),
  }));
}

/** Per-MAC counts and first / last sighting computed from the edge's raw rows. */
export function edgeAggregates(edge: EdgeHarness): Promise<NetworkAggregate[]> {
  return edge.query(async (db) => {
    const rs = await db.execute(`SELECT ${AGGREGATE} FROM observations GROUP BY mac ORDER BY mac`);
    return toAggregates(rs.rows);
  });
}

/** The cloud's merged `networks` aggregates, same shape. */
export async function cloudAggregates(cloud: CloudHarness): Promise<NetworkAggregate[]> {
  const rs = await cloud.db.execute(
    "SELECT mac, observation_count AS n, first_seen AS first, last_seen AS last FROM networks ORDER BY mac",
  );
  return toAggregates(rs.rows);
}

/** Cloud observation count per run id of one device. */
export async function cloudCountsByRun(cloud: CloudHarness, deviceId: string): Promise<Map<string, number>> {
  const rs = await cloud.db.execute({
    sql: "SELECT run_id, count(*) AS n FROM observations WHERE device_id = ? GROUP BY run_id",
    args: [deviceId],
  });
  return new Map(rs.rows.map((r) => [String(r.run_id), Number(r.n)]));
}

/** Edge observation count per run id. */
export function edgeCountsByRun(edge: EdgeHarness): Promise<Map<string, number>> {
  return edge.query(async (db) => {
    const rs = await db.execute("SELECT run_id, count(*) AS n FROM observations GROUP BY run_id");
    return new Map(rs.rows.map((r) => [String(r.run_id), Number(r.n)]));
  });
}
