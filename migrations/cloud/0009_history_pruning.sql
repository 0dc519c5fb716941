ALTER TABLE `merge_generation` ADD `paged_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `network_history` ADD `superseded_at` integer DEFAULT 0 NOT NULL;