CREATE TABLE `stored_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`since` integer NOT NULL,
	`until` integer NOT NULL,
	`html` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stored_reports_kind_created_idx` ON `stored_reports` (`kind`,`created_at`);