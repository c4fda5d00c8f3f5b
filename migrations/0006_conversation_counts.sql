CREATE TABLE `conversation_counts` (
	`account_id` text NOT NULL,
	`inbox_id` text NOT NULL,
	`folder` text NOT NULL,
	`status` text NOT NULL,
	`plugin_id` text NOT NULL,
	`assignee_id` text NOT NULL,
	`assignee_bot` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`account_id`, `inbox_id`, `folder`, `status`, `plugin_id`, `assignee_id`, `assignee_bot`)
);
