CREATE TABLE `blocked_senders` (
	`account_id` text NOT NULL,
	`identifier` text NOT NULL,
	`blocked_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `identifier`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`blocked_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `conversation_participants` (
	`conversation_id` text NOT NULL,
	`address` text NOT NULL,
	`name` text,
	`role` text NOT NULL,
	PRIMARY KEY(`conversation_id`, `address`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `conversation_participants_address_idx` ON `conversation_participants` (`address`);--> statement-breakpoint
CREATE TABLE `inbox_members` (
	`inbox_id` text NOT NULL,
	`user_id` text NOT NULL,
	`last_assigned_at` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`inbox_id`, `user_id`),
	FOREIGN KEY (`inbox_id`) REFERENCES `inboxes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `inbox_members_user_idx` ON `inbox_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`contact_id` text,
	`name` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`priority` text DEFAULT 'medium' NOT NULL,
	`properties` text DEFAULT '{}' NOT NULL,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `tickets_contact_idx` ON `tickets` (`account_id`,`contact_id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `bouncing_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `ticket_id` text;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `default_assignment` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `inboxes` ADD `default_assignee_id` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `delivery_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `raw_key` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `automated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `metadata` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
CREATE INDEX `messages_account_external_idx` ON `messages` (`account_id`,`external_id`);