DROP INDEX `cloud_networks_seen_idx`;--> statement-breakpoint
DROP INDEX `cloud_networks_changed_idx`;--> statement-breakpoint
ALTER TABLE `merge_generation` ADD `paged_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `network_history` ADD `superseded_at` integer DEFAULT 0 NOT NULL;