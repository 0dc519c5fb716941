CREATE TABLE `load_test_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`status` text NOT NULL,
	`origin` text NOT NULL,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`git_commit` text,
	`node_version` text NOT NULL,
	`machine` text NOT NULL,
	`params` text NOT NULL,
	`result` text,
	`samples` blob,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `load_test_runs_name_idx` ON `load_test_runs` (`name`,`created_at`);--> statement-breakpoint
CREATE INDEX `load_test_runs_created_idx` ON `load_test_runs` (`created_at`);