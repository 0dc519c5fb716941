CREATE TABLE `daily_device_activity` (
	`day` integer NOT NULL,
	`device_id` text NOT NULL,
	`observations` integer NOT NULL,
	PRIMARY KEY(`day`, `device_id`)
);
--> statement-breakpoint
CREATE TABLE `daily_new_transmitters` (
	`day` integer PRIMARY KEY NOT NULL,
	`transmitters` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `heatmap_cell_totals` (
	`precision` integer NOT NULL,
	`kind` text NOT NULL,
	`cell` text NOT NULL,
	`sightings` integer NOT NULL,
	`transmitters` integer NOT NULL,
	PRIMARY KEY(`precision`, `kind`, `cell`)
);
--> statement-breakpoint
CREATE TABLE `heatmap_cells` (
	`precision` integer NOT NULL,
	`kind` text NOT NULL,
	`day` integer NOT NULL,
	`cell` text NOT NULL,
	`sightings` integer NOT NULL,
	`transmitters` integer NOT NULL,
	PRIMARY KEY(`precision`, `kind`, `day`, `cell`)
);
--> statement-breakpoint
CREATE TABLE `heatmap_presence` (
	`mac` text NOT NULL,
	`day` integer NOT NULL,
	`cell` text NOT NULL,
	`kind` text NOT NULL,
	PRIMARY KEY(`mac`, `day`, `cell`, `kind`)
);
--> statement-breakpoint
CREATE INDEX `heatmap_presence_day_cell_idx` ON `heatmap_presence` (`day`,`cell`,`kind`,`mac`);--> statement-breakpoint
CREATE TABLE `heatmap_presence_ever` (
	`mac` text NOT NULL,
	`cell` text NOT NULL,
	`kind` text NOT NULL,
	PRIMARY KEY(`mac`, `cell`, `kind`)
);
