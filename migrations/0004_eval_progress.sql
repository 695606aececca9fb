ALTER TABLE `evals` ADD `done` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `evals` ADD `lease_until` integer;