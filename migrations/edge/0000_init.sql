CREATE TABLE `gps_fixes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`fixed_at` integer NOT NULL,
	`lat` real NOT NULL,
	`lon` real NOT NULL,
	`altitude_m` real,
	`mode` integer NOT NULL,
	`accuracy_m` real,
	`hdop` real,
	`speed_mps` real,
	`track_deg` real,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gps_fixes_source_time_idx` ON `gps_fixes` (`source`,`fixed_at`);--> statement-breakpoint
CREATE INDEX `gps_fixes_time_idx` ON `gps_fixes` (`fixed_at`);--> statement-breakpoint
CREATE TABLE `health_samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sampled_at` integer NOT NULL,
	`rss_mb` real,
	`available_mem_mb` real,
	`disk_free_mb` real,
	`soc_temp_c` real,
	`event_loop_lag_ms` real,
	`writer_queue_depth` integer,
	`guards` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `health_samples_time_idx` ON `health_samples` (`sampled_at`);--> statement-breakpoint
CREATE TABLE `imported_files` (
	`sha256` text PRIMARY KEY NOT NULL,
	`path` text NOT NULL,
	`format` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`imported_at` integer NOT NULL,
	`records` integer NOT NULL,
	`observations` integer NOT NULL,
	`rejected` integer NOT NULL,
	`metadata` text
);
--> statement-breakpoint
CREATE TABLE `networks` (
	`mac` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`ssid` text,
	`auth_mode` text,
	`channel` integer,
	`frequency_mhz` integer,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`observation_count` integer NOT NULL,
	`best_rssi_dbm` integer,
	`best_lat` real,
	`best_lon` real,
	`lat` real,
	`lon` real,
	`weight_sum` real DEFAULT 0 NOT NULL,
	`weighted_lat_sum` real DEFAULT 0 NOT NULL,
	`weighted_lon_sum` real DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `networks_geo_seen_idx` ON `networks` (`lat`,`lon`,`last_seen`);--> statement-breakpoint
CREATE INDEX `networks_rssi_seen_idx` ON `networks` (`best_rssi_dbm`,`last_seen`);--> statement-breakpoint
CREATE INDEX `networks_seen_idx` ON `networks` (`last_seen`);--> statement-breakpoint
CREATE INDEX `networks_ssid_lower_idx` ON `networks` (lower("ssid"));--> statement-breakpoint
CREATE INDEX `networks_named_seen_idx` ON `networks` (`last_seen`) WHERE "networks"."ssid" IS NOT NULL AND "networks"."ssid" <> '';--> statement-breakpoint
CREATE TABLE `observations` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`kind` text NOT NULL,
	`mac` text NOT NULL,
	`ssid` text,
	`auth_mode` text,
	`capabilities` text,
	`seen_at` integer NOT NULL,
	`channel` integer,
	`frequency_mhz` integer,
	`rssi_dbm` integer,
	`rssi_estimated` integer DEFAULT 0 NOT NULL,
	`lat` real,
	`lon` real,
	`altitude_m` real,
	`accuracy_m` real,
	`rcois` text,
	`mfgr_id` integer,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `observations_mac_seen_idx` ON `observations` (`mac`,`seen_at`);--> statement-breakpoint
CREATE TABLE `slow_queries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recorded_at` integer NOT NULL,
	`sql` text NOT NULL,
	`duration_ms` real NOT NULL,
	`plan` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `slow_queries_time_idx` ON `slow_queries` (`recorded_at`);--> statement-breakpoint
CREATE TABLE `sync_state` (
	`target` text PRIMARY KEY NOT NULL,
	`acked_seq` integer DEFAULT 0 NOT NULL,
	`next_batch_seq` integer DEFAULT 1 NOT NULL,
	`last_success_at` integer,
	`last_error_at` integer,
	`last_error` text,
	`next_attempt_at` integer,
	`updated_at` integer NOT NULL
);
