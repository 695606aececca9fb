CREATE TABLE `evals` (
	`id` text PRIMARY KEY NOT NULL,
	`prompts` text NOT NULL,
	`corpus` text NOT NULL,
	`documents` integer NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`status` text NOT NULL,
	`report` text,
	`error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `evals_created_idx` ON `evals` (`created_at`,`id`);