import type { InStatement } from "@libsql/client";

/*
 * The per-UTC-day figures of GET /v1/stats/daily, kept by the merge from temp.merge_stage only (a replay
 * stages nothing, so changes nothing): sightings per day and device (observations, active devices) and
 * transmitters by their fleet-wide first day. See docs/analyst-aggregates.md.
 */

const DAY_MS = 86_400_000;

/**
 * Before the networks upsert (it reads each transmitter's first_seen as it was): a transmitter new to the
 * fleet counts on its first day; one whose first day this batch moves earlier (a device that synced late)
 * moves from its old day to the new one. One primary-key seek in networks per distinct staged MAC.
 */
const MOVE_FIRST_DAYS = `INSERT INTO daily_new_transmitters (day, transmitters)
WITH moved AS MATERIALIZED (SELECT s.day AS new_day, n.first_seen / ${DAY_MS} AS old_day
  FROM (SELECT mac, min(seen_at) / ${DAY_MS} AS day FROM temp.merge_stage GROUP BY mac) AS s
  LEFT JOIN networks AS n ON n.mac = s.mac
  WHERE n.mac IS NULL OR s.day < n.first_seen / ${DAY_MS})
SELECT day, sum(delta) FROM (SELECT new_day AS day, 1 AS delta FROM moved
  UNION ALL SELECT old_day, -1 FROM moved WHERE old_day IS NOT NULL)
WHERE true GROUP BY day
ON CONFLICT (day) DO UPDATE SET transmitters = daily_new_transmitters.transmitters + excluded.transmitters`;

const COUNT_DEVICE_DAYS = `INSERT INTO daily_device_activity (day, device_id, observations)
SELECT seen_at / ${DAY_MS}, ?, count(*) FROM temp.merge_stage WHERE true GROUP BY 1
ON CONFLICT (day, device_id) DO UPDATE SET
  observations = daily_device_activity.observations + excluded.observations`;

/** Runs before the networks upsert. */
export function dailyStatsBefore(): InStatement[] {
  return [MOVE_FIRST_DAYS];
}

/** Runs anywhere after the observations insert; `deviceId` is the batch's device. */
export function dailyStatsAfter(deviceId: string): InStatement[] {
  return [{ sql: COUNT_DEVICE_DAYS, args: [deviceId] }];
}
