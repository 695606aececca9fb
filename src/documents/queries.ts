import { desc, eq, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { toBriefView, BriefView } from '../briefs/view.js';
import type { PriceTable } from '../llm/prices.js';
import type { Database } from '../db/client.js';
import { briefs, documents } from '../db/schema.js';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';

export const DocumentView = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    chars: z.number(),
    /** How the document arrived, as detected: text/plain, text/markdown, text/html or application/pdf. */
    mediaType: z.string(),
    /** Page count of a paged document (PDF); null otherwise. */
    pages: z.number().int().nullable(),
    /**
     * Where each page starts in the normalized text (null when the document has no pages): a
     * citation with `start` s is on the last page whose `start` ≤ s (`pageOf` in src/ingest/pages.ts).
     */
    pageMap: z.array(z.object({ page: z.number().int(), start: z.number().int() })).nullable(),
    createdAt: z.string(),
    /** Present when asked for with `?include=text`. */
    text: z.string().optional(),
    briefs: z.array(BriefView),
  })
  .meta({ id: 'DocumentView' });
export type DocumentView = z.infer<typeof DocumentView>;

const DOCUMENT_ID = /^[0-9a-f]{64}$/;

/** What the document verbs need. */
export interface DocumentContext {
  db: Database;
}

/** A document as submitted: its id is sha256 of its normalized `text`. */
export interface NewDocument {
  id: string;
  title: string | null;
  text: string;
  mediaType: string;
  pageMap: number[] | null;
}

/** Stores a document (saveDocument, on a Node server's work thread or here). */
export type SaveDocument = (
  document: NewDocument,
  options?: { index?: boolean },
) => Promise<boolean>;

/** A document's metadata (and text on request) with every brief made of it, newest first. */
export async function getDocument(
  { db, prices }: DocumentContext & { prices: PriceTable },
  id: string,
  includeText: boolean,
): Promise<DocumentView> {
  if (!DOCUMENT_ID.test(id))
    throw new AppError(
      'invalid_request',
      `"${id}" is not a document id (64 hex digits: sha256 of the normalized text)`,
    );
  const [row] = await db.select().from(documents).where(eq(documents.id, id)).limit(1);
  if (!row) throw new AppError('not_found', `No document with id ${id}`);
  const rows = await db
    .select()
    .from(briefs)
    .where(eq(briefs.documentId, id))
    .orderBy(desc(briefs.createdAt), desc(briefs.id));
  return {
    id: row.id,
    title: row.title,
    chars: row.chars,
    mediaType: row.mediaType,
    pages: row.pageMap ? row.pageMap.length : null,
    pageMap: row.pageMap ? row.pageMap.map((start, i) => ({ page: i + 1, start })) : null,
    createdAt: new Date(row.createdAt).toISOString(),
    ...(includeText ? { text: row.text } : {}),
    briefs: rows.map((brief) => toBriefView(brief, row.title, false, prices)),
  };
}

/**
 * Adds a document to the library without briefing it (for search, related documents and
 * perspectives). A document already stored keeps its text; it gains a title or a page map it
 * lacked, as when a brief is asked for. True when it is new. The text is normalized and written
 * where the brief service does both (a Node server's work thread).
 * @throws AppError 400 for a document with no text.
 */
export async function addDocument(
  context: DocumentContext & {
    normalize: (text: string) => Promise<string>;
    saveDocument: SaveDocument;
  },
  input: {
    text: string;
    title?: string | undefined;
    mediaType: string;
    pageMap?: number[] | undefined;
  },
): Promise<{ id: string; created: boolean }> {
  const text = await context.normalize(input.text);
  if (text.length === 0)
    throw new AppError(
      'invalid_request',
      'The document is empty (no text after normalizing whitespace)',
    );
  const id = await sha256Hex(text);
  const [stored] = await context.db
    .select({ id: documents.id })
    .from(documents)
    .where(eq(documents.id, id))
    .limit(1);
  await context.saveDocument({
    id,
    title: input.title?.trim() || null,
    text,
    mediaType: input.mediaType,
    pageMap: input.pageMap ?? null,
  });
  return { id, created: !stored };
}

/** The newest documents' ids and titles (no text), for pickers such as the web UI's list filter. */
export async function listDocuments(
  { db }: DocumentContext,
  limit: number,
): Promise<{ id: string; title: string | null }[]> {
  return db
    .select({ id: documents.id, title: documents.title })
    .from(documents)
    .orderBy(desc(documents.createdAt), desc(documents.id))
    .limit(limit);
}

/**
 * Stores a document. The same text again keeps what it has, but gains a page map it lacked
 * (the PDF after its pasted text: the PDF's type and pages come with it) and a title it lacked.
 * True when a row was written: the document is new, or it gained something. A new document is
 * added to the search index too, unless `index` is false: then it waits for `indexDocuments`.
 */
export async function saveDocument(
  { db }: DocumentContext,
  document: NewDocument,
  { index = true }: { index?: boolean } = {},
): Promise<boolean> {
  const written = await db
    .insert(documents)
    .values({ ...document, chars: document.text.length, createdAt: Date.now() })
    .onConflictDoUpdate({
      target: documents.id,
      set: {
        mediaType: sql`case when ${documents.pageMap} is null and excluded.page_map is not null then excluded.media_type else ${documents.mediaType} end`,
        pageMap: sql`coalesce(${documents.pageMap}, excluded.page_map)`,
        title: sql`coalesce(${documents.title}, excluded.title)`,
      },
      setWhere: sql`(${documents.pageMap} is null and excluded.page_map is not null) or (${documents.title} is null and excluded.title is not null)`,
    })
    .returning({ id: documents.id });
  if (index) await indexDocuments({ db });
  return written.length > 0;
}

/**
 * Adds the documents waiting for it to the search index (migrations/0010: deleting their rows
 * from `documents_unindexed` indexes them, in one statement).
 */
export async function indexDocuments({ db }: DocumentContext): Promise<void> {
  await db.run(sql`delete from documents_unindexed`);
}

/** What reading the library needs: the database, and where waiting documents are indexed. */
export interface LibraryContext extends DocumentContext {
  /** indexDocuments, on a Node server's work thread; here when not given. */
  indexDocuments?: () => Promise<void>;
}

/**
 * Indexes the documents still waiting for it, before a search reads the index: those of
 * briefs that started a moment ago. A read when none wait (nearly always): a delete takes
 * SQLite's write lock even when it deletes nothing, and on a Node server this thread would wait
 * for the work thread's writes, holding every request meanwhile.
 */
export async function indexWaiting(context: LibraryContext): Promise<void> {
  const waiting = await context.db.all(sql`select 1 from documents_unindexed limit 1`);
  if (waiting.length === 0) return;
  await (context.indexDocuments ? context.indexDocuments() : indexDocuments(context));
}

/** The titles of these documents, by id. */
export async function documentTitles(
  { db }: DocumentContext,
  ids: string[],
): Promise<Map<string, string | null>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: documents.id, title: documents.title })
    .from(documents)
    .where(or(...unique.map((id) => eq(documents.id, id))));
  return new Map(rows.map((row) => [row.id, row.title]));
}
