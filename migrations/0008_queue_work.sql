CREATE TABLE `llm_slots` (
	`id` text PRIMARY KEY NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `llm_slots_until_idx` ON `llm_slots` (`until`);--> statement-breakpoint
ALTER TABLE `briefs` ADD `holder` text;--> statement-breakpoint
ALTER TABLE `briefs` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `evals` ADD `holder` text;--> statement-breakpoint
ALTER TABLE `evals` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `evals` ADD `plan` text;