CREATE TABLE `bot_sessions` (
	`conversation_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`step_id` text NOT NULL,
	`collected` text DEFAULT '{}' NOT NULL,
	`handed_off_at` integer,
	`last_visitor_activity_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `users` ADD `office_hours` text;