CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_token_hash_unique` ON `devices` (`token_hash`);--> statement-breakpoint
CREATE TABLE `landed_batches` (
	`device_id` text NOT NULL,
	`run_id` text NOT NULL,
	`batch_seq` integer NOT NULL,
	`status` text NOT NULL,
	`first_seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`observation_count` integer NOT NULL,
	`payload` blob NOT NULL,
	`received_at` integer NOT NULL,
	`merged_at` integer,
	`inserted_count` integer,
	`error` text,
	PRIMARY KEY(`device_id`, `run_id`, `batch_seq`)
);
--> statement-breakpoint
CREATE INDEX `landed_batches_status_idx` ON `landed_batches` (`status`,`received_at`);--> statement-breakpoint
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
	`device_count` integer DEFAULT 0 NOT NULL,
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
CREATE INDEX `cloud_networks_geo_seen_idx` ON `networks` (`lat`,`lon`,`last_seen`);--> statement-breakpoint
CREATE INDEX `cloud_networks_seen_idx` ON `networks` (`last_seen`);--> statement-breakpoint
CREATE INDEX `cloud_networks_ssid_lower_idx` ON `networks` (lower("ssid"));--> statement-breakpoint
CREATE TABLE `network_devices` (
	`mac` text NOT NULL,
	`device_id` text NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`mac`, `device_id`)
);
--> statement-breakpoint
CREATE TABLE `observations` (
	`device_id` text NOT NULL,
	`run_id` text NOT NULL,
	`seq` integer NOT NULL,
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
	`source` text NOT NULL,
	PRIMARY KEY(`device_id`, `run_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `cloud_observations_mac_seen_idx` ON `observations` (`mac`,`seen_at`);