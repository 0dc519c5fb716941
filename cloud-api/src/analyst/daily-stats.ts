import type { Client } from "@libsql/client";
import { DAY_MS, dayOf, MAX_RANGE_DAYS } from "./heatmap-query.js";
import { invalid, parseTimeRange, type RawParams, rejectUnknown } from "./query-params.js";

/*
 * GET /v1/stats/daily: per UTC day, sightings, transmitters first seen that day (fleet-wide) and devices
 * with a sighting that day, from the counters the merge keeps (services/merge-daily-stats.ts). Every day
 * of the range is answered, empty ones with zeros.
 */

export const DAILY_STATS_QUERY_PARAMS = ["since", "until"] as const;
/** Without since: this many days ending with `until`'s day. */
export const DEFAULT_DAILY_DAYS = 30;

export interface DailyStatsQuery {
  first: number;
  last: number;
}

export interface DailyStat {
  /** ISO 8601 date (UTC). */
  day: string;
  observations: number;
  newTransmitters: number;
  activeDevices: number;
}

export interface DailyStats {
  since: string;
  until: string;
  days: DailyStat[];
}

/** Whole UTC days: until defaults to now, since to DEFAULT_DAILY_DAYS days before until's day. */
export function parseDailyStatsQuery(params: RawParams, now: number): DailyStatsQuery {
  rejectUnknown(params, DAILY_STATS_QUERY_PARAMS);
  const range = parseTimeRange(params);
  const last = dayOf(range.until ?? Math.max(now, range.since ?? now));
  const first = range.since === undefined ? last - DEFAULT_DAILY_DAYS + 1 : dayOf(range.since);
  if (last - first + 1 > MAX_RANGE_DAYS) {
    throw invalid("since", `the range spans ${last - first + 1} UTC days, at most ${MAX_RANGE_DAYS}`);
  }
  return { first, last };
}

export async function readDailyStats(db: Client, query: DailyStatsQuery): Promise<DailyStats> {
  const args = [query.first, query.last];
  const [activity, fresh] = await db.batch(
    [
      {
        sql: `SELECT day, sum(observations) AS observations, count(*) AS devices FROM daily_device_activity
          WHERE day BETWEEN ? AND ? GROUP BY day`,
        args,
      },
      { sql: "SELECT day, transmitters FROM daily_new_transmitters WHERE day BETWEEN ? AND ?", args },
    ],
    "read",
  );
  const byDay = new Map<number, DailyStat>();
  for (let day = query.first; day <= query.last; day++) {
    const iso = new Date(day * DAY_MS).toISOString().slice(0, 10);
    byDay.set(day, { day: iso, observations: 0, newTransmitters: 0, activeDevices: 0 });
  }
  for (const r of activity?.rows ?? []) {
    const stat = byDay.get(Number(r.day));
    if (stat) {
      stat.observations = Number(r.observations);
      stat.activeDevices = Number(r.devices);
    }
  }
  for (const r of fresh?.rows ?? []) {
    const stat = byDay.get(Number(r.day));
    if (stat) stat.newTransmitters = Number(r.transmitters);
  }
  return {
    since: new Date(query.first * DAY_MS).toISOString(),
    until: new Date((query.last + 1) * DAY_MS - 1).toISOString(),
    days: [...byDay.values()],
  };
}
