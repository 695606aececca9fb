CREATE TABLE `perspectives` (
	`id` text PRIMARY KEY NOT NULL,
	`cache_key` text NOT NULL,
	`document_ids` text NOT NULL,
	`prompt_ref` text NOT NULL,
	`prompt_sha256` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`params_hash` text NOT NULL,
	`status` text NOT NULL,
	`progress` text,
	`result` text,
	`error` text,
	`usage` text,
	`lease_until` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `perspectives_cache_key_unique` ON `perspectives` (`cache_key`);--> statement-breakpoint
CREATE INDEX `perspectives_created_idx` ON `perspectives` (`created_at`,`id`);