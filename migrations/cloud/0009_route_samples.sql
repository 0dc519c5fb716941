CREATE TABLE `route_samples` (
	`process` text NOT NULL,
	`taken_at` integer NOT NULL,
	`method` text NOT NULL,
	`route` text NOT NULL,
	`requests` integer NOT NULL,
	`server_errors` integer NOT NULL,
	`latency_hdr` text NOT NULL,
	PRIMARY KEY(`process`, `taken_at`, `method`, `route`)
);
--> statement-breakpoint
CREATE INDEX `route_samples_taken_idx` ON `route_samples` (`taken_at`);