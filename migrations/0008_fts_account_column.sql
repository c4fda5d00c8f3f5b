-- The search index carries each message's account (UNINDEXED: stored, not tokenized), so a
-- search checks the account on the matches it walks instead of joining each to `messages`. An
-- indexed account term was tried first: in a large account its posting list is as long as the
-- account is big, and loading it cost ~40 ms on every search. Triggers are recreated for the new
-- column; the index is rebuilt from `messages`.
DROP TRIGGER IF EXISTS `messages_fts_after_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_after_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `messages_fts_after_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `conversations_fts_after_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `contacts_fts_after_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `messages_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_fts` USING fts5(subject, body, contact, account UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `messages_fts_after_insert` AFTER INSERT ON `messages`
WHEN new.kind <> 'activity' AND new.hidden_at IS NULL
BEGIN
  INSERT INTO messages_fts(rowid, subject, body, contact, account)
  SELECT new.id, coalesce(c.subject, ''), new.text, trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, '')), new.account_id
  FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id
  WHERE c.id = new.conversation_id;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_after_delete` AFTER DELETE ON `messages`
BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_after_update` AFTER UPDATE OF text, hidden_at, kind ON `messages`
BEGIN
  DELETE FROM messages_fts WHERE rowid = old.id;
  INSERT INTO messages_fts(rowid, subject, body, contact, account)
  SELECT new.id, coalesce(c.subject, ''), new.text, trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, '')), new.account_id
  FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id
  WHERE c.id = new.conversation_id AND new.kind <> 'activity' AND new.hidden_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `conversations_fts_after_update` AFTER UPDATE OF subject, contact_id ON `conversations`
BEGIN
  UPDATE messages_fts SET
    subject = coalesce(new.subject, ''),
    contact = coalesce((SELECT trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, '')) FROM contacts ct WHERE ct.id = new.contact_id), '')
  WHERE rowid IN (SELECT id FROM messages WHERE conversation_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_after_update` AFTER UPDATE OF name, email, phone ON `contacts`
BEGIN
  UPDATE messages_fts SET
    contact = trim(coalesce(new.name, '') || ' ' || coalesce(new.email, '') || ' ' || coalesce(new.phone, ''))
  WHERE rowid IN (SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                  WHERE c.contact_id = new.id);
END;
--> statement-breakpoint
INSERT INTO messages_fts(rowid, subject, body, contact, account)
SELECT m.id, coalesce(c.subject, ''), m.text, trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, '')), m.account_id
FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN contacts ct ON ct.id = c.contact_id
WHERE m.kind <> 'activity' AND m.hidden_at IS NULL;
