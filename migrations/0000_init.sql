CREATE TABLE `briefs` (
	`id` text PRIMARY KEY NOT NULL,
	`cache_key` text NOT NULL,
	`document_id` text NOT NULL,
	`prompt_ref` text NOT NULL,
	`prompt_name` text NOT NULL,
	`prompt_version` integer NOT NULL,
	`prompt_sha256` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`params` text NOT NULL,
	`params_hash` text NOT NULL,
	`status` text NOT NULL,
	`chunks` integer,
	`result` text,
	`error` text,
	`usage` text,
	`timings` text,
	`answered_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `briefs_cache_key_unique` ON `briefs` (`cache_key`);--> statement-breakpoint
CREATE INDEX `briefs_document_idx` ON `briefs` (`document_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `briefs_created_idx` ON `briefs` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `briefs_prompt_idx` ON `briefs` (`prompt_name`,`prompt_version`);--> statement-breakpoint
CREATE INDEX `briefs_model_idx` ON `briefs` (`model`);--> statement-breakpoint
CREATE INDEX `briefs_status_idx` ON `briefs` (`status`);--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text,
	`text` text NOT NULL,
	`chars` integer NOT NULL,
	`media_type` text DEFAULT 'text/plain' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `llm_calls` (
	`key` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`stage` text NOT NULL,
	`output` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
