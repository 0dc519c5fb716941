CREATE TABLE `merge_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL,
	`changed_at` integer NOT NULL
);
