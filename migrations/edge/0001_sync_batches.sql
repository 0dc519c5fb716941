CREATE TABLE `sync_batches` (
	`target` text NOT NULL,
	`batch_seq` integer NOT NULL,
	`run_id` text NOT NULL,
	`first_seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`observation_count` integer NOT NULL,
	`fix_after_id` integer NOT NULL,
	`fix_last_id` integer NOT NULL,
	`health_after_id` integer NOT NULL,
	`health_last_id` integer NOT NULL,
	`planned_at` integer NOT NULL,
	`acked_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`target`, `batch_seq`)
);
--> statement-breakpoint
ALTER TABLE `sync_state` ADD `acked_fix_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `acked_health_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sync_state` ADD `blocked_batch_seq` integer;