-- A new document waits in `documents_unindexed` to be added to the search index, rather than
-- being indexed inside its insert: indexing a long document (~20 ms for 580 KB) had held up the
-- start of its brief, whose first map calls need only the stored row (issue 14). Deleting the
-- waiting rows indexes them (`documents_fts_index`), in one statement: `indexDocuments` in
-- src/documents/queries.ts, which a brief runs once its chunking is under way and a search runs
-- before it reads.
CREATE TABLE `documents_unindexed` (`id` text PRIMARY KEY NOT NULL);
--> statement-breakpoint
DROP TRIGGER `documents_fts_insert`;
--> statement-breakpoint
CREATE TRIGGER `documents_fts_queue` AFTER INSERT ON `documents` BEGIN
  INSERT INTO `documents_unindexed` (id) VALUES (new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `documents_fts_index` AFTER DELETE ON `documents_unindexed` BEGIN
  INSERT INTO `documents_fts` (id, title, text)
    SELECT id, coalesce(title, ''), substr(text, 1, 1000000) FROM `documents` WHERE id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `documents_unindexed_delete` AFTER DELETE ON `documents` BEGIN
  DELETE FROM `documents_unindexed` WHERE id = old.id;
END;
