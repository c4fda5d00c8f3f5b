-- Full-text index over what an agent searches: the conversation subject, the message text, and
-- the contact's name and addresses. rowid = messages.id. Hidden messages and activity entries are
-- never indexed, so hidden text cannot be found. Triggers keep it in step with every write path.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(subject, body, contact, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `messages_fts_after_insert` AFTER INSERT ON `messages`
WHEN new.kind <> 'activity' AND new.hidden_at IS NULL
BEGIN
  INSERT INTO messages_fts(rowid, subject, body, contact)
  SELECT new.id, coalesce(c.subject, ''), new.text,
         trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, ''))
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
  INSERT INTO messages_fts(rowid, subject, body, contact)
  SELECT new.id, coalesce(c.subject, ''), new.text,
         trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, ''))
  FROM conversations c LEFT JOIN contacts ct ON ct.id = c.contact_id
  WHERE c.id = new.conversation_id AND new.kind <> 'activity' AND new.hidden_at IS NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `conversations_fts_after_update` AFTER UPDATE OF subject, contact_id ON `conversations`
BEGIN
  UPDATE messages_fts SET
    subject = coalesce(new.subject, ''),
    contact = coalesce((SELECT trim(coalesce(ct.name, '') || ' ' || coalesce(ct.email, '') || ' ' || coalesce(ct.phone, ''))
                        FROM contacts ct WHERE ct.id = new.contact_id), '')
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
