CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`severity` text NOT NULL,
	`subject_kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`ssid` text,
	`lat` real,
	`lon` real,
	`raised_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`cleared_at` integer,
	`dedupe_key` text NOT NULL,
	`evidence` text NOT NULL,
	`watchlist_id` integer,
	`device_id` text,
	`run_id` text,
	`batch_seq` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_dedupe_idx` ON `alerts` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `alerts_subject_idx` ON `alerts` (`subject_kind`,`subject_id`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_type_idx` ON `alerts` (`type`,`id`);--> statement-breakpoint
CREATE INDEX `alerts_batch_idx` ON `alerts` (`device_id`,`run_id`,`batch_seq`);--> statement-breakpoint
CREATE INDEX `alerts_ssid_idx` ON `alerts` (`ssid`);--> statement-breakpoint
CREATE TABLE `watchlist` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`match` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`alert_id` integer NOT NULL,
	`webhook_id` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	PRIMARY KEY(`alert_id`, `webhook_id`)
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_pending_idx` ON `webhook_deliveries` (`status`,`created_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`secret` text NOT NULL,
	`watchlist_id` integer,
	`created_at` integer NOT NULL,
	`disabled_at` integer
);
--> statement-breakpoint
CREATE INDEX `webhooks_watchlist_idx` ON `webhooks` (`watchlist_id`);