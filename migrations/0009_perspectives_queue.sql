ALTER TABLE `perspectives` ADD `holder` text;--> statement-breakpoint
ALTER TABLE `perspectives` ADD `attempts` integer DEFAULT 0 NOT NULL;