CREATE TABLE `visitor_tokens` (
	`channel_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`account_id` text NOT NULL,
	`token_id` text NOT NULL,
	`previous_token_id` text,
	`rotated_at` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `visitor_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
