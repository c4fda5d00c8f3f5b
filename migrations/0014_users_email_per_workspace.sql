DROP INDEX `users_email_unique`;--> statement-breakpoint
DROP INDEX `users_account_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `users_account_email_unique` ON `users` (`account_id`,`email`);--> statement-breakpoint
CREATE INDEX `users_email_idx` ON `users` (`email`);