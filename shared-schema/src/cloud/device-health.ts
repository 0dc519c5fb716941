import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/*
 * Fleet health: what each device reports about itself. The merge writes the health samples and GPS track
 * every batch carries (bounded retention: the {fleet} job deletes rows older than the configured days) and
 * keeps one `device_status` row per device with the latest of everything, so the fleet view and the fleet
 * alerts read one small row per device instead of the series.
 */

/** Health samples as the edge took them (its resource guards' readings and decisions). */
export const deviceHealth = sqliteTable(
  "device_health",
  {
    deviceId: text("device_id").notNull(),
    sampledAt: integer("sampled_at").notNull(),
    rssMb: real("rss_mb"),
    availableMemMb: real("available_mem_mb"),
    diskFreeMb: real("disk_free_mb"),
    socTempC: real("soc_temp_c"),
    eventLoopLagMs: real("event_loop_lag_ms"),
    writerQueueDepth: integer("writer_queue_depth"),
    /** JSON guard states ({memory, diskBelowFloor, hot, lagging, scanIntervalMultiplier}); null from older agents. */
    guards: text("guards"),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.sampledAt] }),
    index("device_health_sampled_idx").on(t.sampledAt),
  ],
);

/** The device's GPS fixes (its track), as sent with its batches. */
export const deviceTracks = sqliteTable(
  "device_tracks",
  {
    deviceId: text("device_id").notNull(),
    fixedAt: integer("fixed_at").notNull(),
    lat: real("lat").notNull(),
    lon: real("lon").notNull(),
    altitudeM: real("altitude_m"),
    mode: integer("mode").notNull(),
    accuracyM: real("accuracy_m"),
    speedMps: real("speed_mps"),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.fixedAt] }), index("device_tracks_fixed_idx").on(t.fixedAt)],
);

/**
 * The latest of everything per device. `agent_version` and `backlog` come from the request headers of its
 * latest batch (X-PiWardrive-Agent-Version, X-PiWardrive-Backlog; absent from older agents: the previous
 * value stays), latest by batch_seq, not by arrival;
 * the rest from its merged batches: sightings inserted (exactly, from the merge's staged rows), the newest
 * batch, health sample and fix.
 */
export const deviceStatus = sqliteTable("device_status", {
  deviceId: text("device_id").primaryKey(),
  observationCount: integer("observation_count").notNull().default(0),
  /** received_at of the newest merged batch. */
  lastBatchAt: integer("last_batch_at"),
  agentVersion: text("agent_version"),
  backlog: integer("backlog"),
  reportedAt: integer("reported_at"),
  /** The batch_seq of the upload that reported them: uploads in flight together land in any order. */
  reportedBatchSeq: integer("reported_batch_seq"),
  healthSampledAt: integer("health_sampled_at"),
  rssMb: real("rss_mb"),
  availableMemMb: real("available_mem_mb"),
  diskFreeMb: real("disk_free_mb"),
  socTempC: real("soc_temp_c"),
  eventLoopLagMs: real("event_loop_lag_ms"),
  writerQueueDepth: integer("writer_queue_depth"),
  guards: text("guards"),
  lastFixAt: integer("last_fix_at"),
  lastLat: real("last_lat"),
  lastLon: real("last_lon"),
});
