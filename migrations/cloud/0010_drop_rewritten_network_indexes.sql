DROP INDEX `cloud_networks_seen_idx`;--> statement-breakpoint
DROP INDEX `cloud_networks_changed_idx`;