CREATE TABLE `device_health` (
	`device_id` text NOT NULL,
	`sampled_at` integer NOT NULL,
	`rss_mb` real,
	`available_mem_mb` real,
	`disk_free_mb` real,
	`soc_temp_c` real,
	`event_loop_lag_ms` real,
	`writer_queue_depth` integer,
	`guards` text,
	PRIMARY KEY(`device_id`, `sampled_at`)
);
--> statement-breakpoint
CREATE INDEX `device_health_sampled_idx` ON `device_health` (`sampled_at`);--> statement-breakpoint
CREATE TABLE `device_status` (
	`device_id` text PRIMARY KEY NOT NULL,
	`observation_count` integer DEFAULT 0 NOT NULL,
	`last_batch_at` integer,
	`agent_version` text,
	`backlog` integer,
	`reported_at` integer,
	`reported_batch_seq` integer,
	`health_sampled_at` integer,
	`rss_mb` real,
	`available_mem_mb` real,
	`disk_free_mb` real,
	`soc_temp_c` real,
	`event_loop_lag_ms` real,
	`writer_queue_depth` integer,
	`guards` text,
	`last_fix_at` integer,
	`last_lat` real,
	`last_lon` real
);
--> statement-breakpoint
CREATE TABLE `device_tracks` (
	`device_id` text NOT NULL,
	`fixed_at` integer NOT NULL,
	`lat` real NOT NULL,
	`lon` real NOT NULL,
	`altitude_m` real,
	`mode` integer NOT NULL,
	`accuracy_m` real,
	`speed_mps` real,
	PRIMARY KEY(`device_id`, `fixed_at`)
);
--> statement-breakpoint
CREATE INDEX `device_tracks_fixed_idx` ON `device_tracks` (`fixed_at`);--> statement-breakpoint
CREATE INDEX `landed_batches_merged_idx` ON `landed_batches` (`merged_at`);