-- Full-text search over documents (SQLite FTS5, on Node and on D1). The index keeps its own
-- copy of each title and text rather than pointing at `documents` (external content): that
-- needs a stable integer rowid, and `documents` is keyed by its sha256 id, whose implicit
-- rowid VACUUM may renumber. Triggers keep the copy in step with the table.
CREATE VIRTUAL TABLE `documents_fts` USING fts5(id UNINDEXED, title, text, tokenize = 'porter unicode61');
--> statement-breakpoint
CREATE TRIGGER `documents_fts_insert` AFTER INSERT ON `documents` BEGIN
  INSERT INTO `documents_fts` (id, title, text) VALUES (new.id, coalesce(new.title, ''), new.text);
END;
--> statement-breakpoint
CREATE TRIGGER `documents_fts_title` AFTER UPDATE OF title ON `documents` WHEN old.title IS NOT new.title BEGIN
  UPDATE `documents_fts` SET title = coalesce(new.title, '') WHERE id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER `documents_fts_delete` AFTER DELETE ON `documents` BEGIN
  DELETE FROM `documents_fts` WHERE id = old.id;
END;
--> statement-breakpoint
INSERT INTO `documents_fts` (id, title, text) SELECT id, coalesce(title, ''), text FROM `documents`;
