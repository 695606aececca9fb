import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { indexWaiting, type LibraryContext } from './queries.js';

/**
 * Full-text search over the library: the FTS5 table `documents_fts` (migrations/0005), which
 * triggers keep in step with `documents` (a new document once `indexDocuments` has run:
 * migrations/0010). Porter stemming, so "tariffs" finds "tariff".
 *
 * A user's query is never handed to FTS5's query language as typed (a stray quote or `AND`
 * would be a syntax error or a different query): it is read as words and "quoted phrases", all
 * of which a document must contain, each written as an FTS5 string; `word*` is a prefix.
 */

export const SearchHit = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    chars: z.number().int(),
    createdAt: z.string(),
    /** A passage around the best match, up to ~24 words, `…` where it was cut. */
    snippet: z.string(),
    /** The matched words in `snippet`: [start, end) offsets into it. */
    highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
    /** Relevance (BM25; title matches count five times): higher is better, comparable within one query. */
    score: z.number(),
  })
  .meta({ id: 'SearchHit' });
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResults = z
  .object({
    query: z.string(),
    documents: z.array(SearchHit),
  })
  .meta({ id: 'SearchResults' });
export type SearchResults = z.infer<typeof SearchResults>;

/** Snippet markers: control characters normalized text never holds (normalize.ts drops them). */
const OPEN = '\u0002';
const CLOSE = '\u0003';

/** Words and quoted phrases of a query, as an FTS5 expression; null when it has no words. */
export function matchExpression(query: string): string | null {
  const parts: string[] = [];
  for (const [, phrase, word, prefix] of query.matchAll(/"([^"]*)"|([\p{L}\p{N}]+)(\*)?/gu)) {
    const words = (phrase ?? word ?? '').match(/[\p{L}\p{N}]+/gu);
    if (!words) continue;
    parts.push(`"${words.join(' ')}"${prefix && word ? '*' : ''}`);
  }
  return parts.length > 0 ? parts.join(' ') : null;
}

/** Documents containing every word and phrase of `query`, best first. */
export async function searchDocuments(
  context: LibraryContext,
  query: string,
  limit: number,
): Promise<SearchResults> {
  const { db } = context;
  const expression = matchExpression(query);
  if (expression === null)
    throw new AppError('invalid_request', 'The search query has no words to look for');
  // A document whose brief has just started may not be indexed yet.
  await indexWaiting(context);
  const rows = await db.all<{
    id: string;
    title: string | null;
    chars: number;
    created_at: number;
    snippet: string;
    rank: number;
  }>(sql`
    select d.id, d.title, d.chars, d.created_at,
      snippet(documents_fts, -1, ${OPEN}, ${CLOSE}, '…', 24) as snippet,
      bm25(documents_fts, 0, 5, 1) as rank
    from documents_fts join documents d on d.id = documents_fts.id
    where documents_fts match ${expression}
    order by rank limit ${limit}`);
  return {
    query,
    documents: rows.map((row) => ({
      id: row.id,
      title: row.title,
      chars: row.chars,
      createdAt: new Date(row.created_at).toISOString(),
      ...marked(row.snippet),
      score: round(-row.rank),
    })),
  };
}

/** Strips the snippet markers, keeping where they were. */
function marked(raw: string): { snippet: string; highlights: Array<[number, number]> } {
  const highlights: Array<[number, number]> = [];
  let snippet = '';
  let open = -1;
  for (const char of raw.replace(/\s+/g, ' ')) {
    if (char === OPEN) open = snippet.length;
    else if (char === CLOSE && open >= 0) {
      highlights.push([open, snippet.length]);
      open = -1;
    } else snippet += char;
  }
  return { snippet, highlights };
}

export const round = (value: number) => Math.round(value * 1000) / 1000;
