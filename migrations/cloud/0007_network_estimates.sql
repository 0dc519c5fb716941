CREATE TABLE `network_days` (
	`mac` text NOT NULL,
	`day` integer NOT NULL,
	PRIMARY KEY(`mac`, `day`)
);
--> statement-breakpoint
CREATE TABLE `network_history` (
	`mac` text NOT NULL,
	`generation` integer NOT NULL,
	`kind` text NOT NULL,
	`ssid` text,
	`auth_mode` text,
	`channel` integer,
	`frequency_mhz` integer,
	`vendor` text,
	`randomized` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`observation_count` integer NOT NULL,
	`device_count` integer NOT NULL,
	`best_rssi_dbm` integer,
	`best_lat` real,
	`best_lon` real,
	`lat` real,
	`lon` real,
	`radius_m` real,
	`confidence` integer NOT NULL,
	`created_generation` integer,
	`updated_at` integer,
	PRIMARY KEY(`mac`, `generation`)
);
--> statement-breakpoint
CREATE INDEX `network_history_generation_idx` ON `network_history` (`generation`);--> statement-breakpoint
CREATE TABLE `ssid_history` (
	`mac` text NOT NULL,
	`ssid` text NOT NULL,
	`auth_mode` text NOT NULL,
	`channel` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`mac`, `ssid`, `auth_mode`, `channel`)
);
--> statement-breakpoint
ALTER TABLE `networks` ADD `m2_lat` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `m2_lon` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `radius_m` real;--> statement-breakpoint
ALTER TABLE `networks` ADD `confidence` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `day_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `vendor` text;--> statement-breakpoint
ALTER TABLE `networks` ADD `randomized` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `created_generation` integer;--> statement-breakpoint
ALTER TABLE `networks` ADD `changed_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `updated_at` integer;--> statement-breakpoint
CREATE INDEX `cloud_networks_seen_mac_idx` ON `networks` (`last_seen`,`mac`);--> statement-breakpoint
CREATE INDEX `cloud_networks_rssi_mac_idx` ON `networks` (`best_rssi_dbm`,`mac`);--> statement-breakpoint
CREATE INDEX `cloud_networks_changed_idx` ON `networks` (`changed_generation`);--> statement-breakpoint
ALTER TABLE `network_devices` ADD `observations` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `network_devices` ADD `first_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `cloud_observations_seen_key_idx` ON `observations` (`seen_at`,`device_id`,`run_id`,`seq`);