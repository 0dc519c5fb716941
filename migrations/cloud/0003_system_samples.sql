CREATE TABLE `system_samples` (
	`process` text NOT NULL,
	`taken_at` integer NOT NULL,
	`cpu_pct` real,
	`mem_used_pct` real,
	`rss_mb` real,
	`disk_used_pct` real,
	`net_rx_bps` real,
	`net_tx_bps` real,
	`loop_lag_p99_ms` real,
	PRIMARY KEY(`process`, `taken_at`)
);
--> statement-breakpoint
CREATE INDEX `system_samples_taken_idx` ON `system_samples` (`taken_at`);