ALTER TABLE `contacts` ADD `avatar_url` text;--> statement-breakpoint
ALTER TABLE `contacts` ADD `profile_refreshed_at` integer;