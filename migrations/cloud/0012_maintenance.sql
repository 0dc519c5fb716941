CREATE TABLE `maintenance_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`started_at` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`status` text NOT NULL,
	`result` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `maintenance_runs_started_idx` ON `maintenance_runs` (`started_at`);--> statement-breakpoint
ALTER TABLE `landed_batches` ADD `payload_dropped_at` integer;--> statement-breakpoint
CREATE INDEX `landed_batches_payload_kept_idx` ON `landed_batches` (`received_at`) WHERE status = 'merged' AND payload_dropped_at IS NULL;