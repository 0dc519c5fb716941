DROP INDEX `cloud_networks_geo_seen_idx`;--> statement-breakpoint
DROP INDEX `cloud_networks_seen_mac_idx`;--> statement-breakpoint
CREATE INDEX `cloud_networks_cell_seen_idx` ON `networks` (CAST((lat + 90) * 100 AS INTEGER) * 65536 + CAST((lon + 180) * 100 AS INTEGER),`last_seen`,`mac`,`lat`,`lon`,`changed_generation`);--> statement-breakpoint
CREATE INDEX `cloud_networks_seen_walk_idx` ON `networks` (`last_seen`,`mac`,`lat`,`lon`,`changed_generation`);