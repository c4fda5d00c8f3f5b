ALTER TABLE `messages` ADD `delivery_updated_at` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `delivery_claimed_at` integer;--> statement-breakpoint
CREATE INDEX `messages_pending_delivery_idx` ON `messages` (`delivery_updated_at`) WHERE delivery_status = 'pending';