-- Keeps conversation_counts exact: every conversation write moves one count, in the same
-- transaction as the write. Rows that reach zero stay (they are few) and are skipped when read.
CREATE TRIGGER `conversation_counts_after_insert` AFTER INSERT ON `conversations`
BEGIN
  INSERT INTO conversation_counts (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot, n) VALUES (new.account_id, new.inbox_id, new.folder, new.status, new.plugin_id, coalesce(new.assignee_id, ''), coalesce(new.assignee_bot, ''), 1)
  ON CONFLICT (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot) DO UPDATE SET n = n + (1);
END;
--> statement-breakpoint
CREATE TRIGGER `conversation_counts_after_delete` AFTER DELETE ON `conversations`
BEGIN
  INSERT INTO conversation_counts (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot, n) VALUES (old.account_id, old.inbox_id, old.folder, old.status, old.plugin_id, coalesce(old.assignee_id, ''), coalesce(old.assignee_bot, ''), -1)
  ON CONFLICT (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot) DO UPDATE SET n = n + (-1);
END;
--> statement-breakpoint
CREATE TRIGGER `conversation_counts_after_update` AFTER UPDATE OF account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot ON `conversations`
BEGIN
  INSERT INTO conversation_counts (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot, n) VALUES (old.account_id, old.inbox_id, old.folder, old.status, old.plugin_id, coalesce(old.assignee_id, ''), coalesce(old.assignee_bot, ''), -1)
  ON CONFLICT (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot) DO UPDATE SET n = n + (-1);
  INSERT INTO conversation_counts (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot, n) VALUES (new.account_id, new.inbox_id, new.folder, new.status, new.plugin_id, coalesce(new.assignee_id, ''), coalesce(new.assignee_bot, ''), 1)
  ON CONFLICT (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot) DO UPDATE SET n = n + (1);
END;
--> statement-breakpoint
INSERT INTO conversation_counts (account_id, inbox_id, folder, status, plugin_id, assignee_id, assignee_bot, n)
SELECT account_id, inbox_id, folder, status, plugin_id, coalesce(assignee_id, ''), coalesce(assignee_bot, ''), count(*)
FROM conversations
GROUP BY account_id, inbox_id, folder, status, plugin_id, coalesce(assignee_id, ''), coalesce(assignee_bot, '');
