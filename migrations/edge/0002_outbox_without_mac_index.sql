ALTER TABLE `networks` ADD `rssi_sum` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `networks` ADD `rssi_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-added: the mean RSSI of the sightings already stored, read while the (mac, seen_at) index still serves it.
UPDATE `networks` SET (`rssi_sum`, `rssi_count`) = (
  SELECT coalesce(sum(`rssi_dbm`), 0), count(`rssi_dbm`) FROM `observations` WHERE `observations`.`mac` = `networks`.`mac`
);--> statement-breakpoint
DROP INDEX `observations_mac_seen_idx`;
