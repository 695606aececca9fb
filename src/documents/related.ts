import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { analyse } from '../analyst/nlp.js';
import type { Database } from '../db/client.js';
import { documents } from '../db/schema.js';
import { AppError } from '../errors.js';
import { indexWaiting, type LibraryContext } from './queries.js';
import { round } from './search.js';

/**
 * The other documents on the same event or dispute, ranked. A document is described by its
 * most salient terms — frequent in it, rare in the library (tf × idf over `documents_fts`),
 * names and figures included — and the library is asked for them all at once (an FTS5 `OR`
 * query ranked by BM25). The best candidates are then scored both ways: the share of the
 * source's salient weight the candidate has, and the share of the candidate's own frequent
 * terms the source has; the score is their geometric mean (0–1).
 *
 * Measured on BASIL (three outlets' reports of each of 50 events): `npm run eval:related`.
 */

export const RelatedDocument = z
  .object({
    id: z.string(),
    title: z.string().nullable(),
    chars: z.number().int(),
    createdAt: z.string(),
    /** How much the two share, both ways (0–1): see the module's comment. */
    score: z.number(),
    /** What the two share, most salient first: named actors and places, figures and dates, other terms. */
    shared: z.object({
      names: z.array(z.string()),
      figures: z.array(z.string()),
      terms: z.array(z.string()),
    }),
  })
  .meta({ id: 'RelatedDocument' });
export type RelatedDocument = z.infer<typeof RelatedDocument>;

export const RelatedDocuments = z
  .object({
    document: z.object({ id: z.string(), title: z.string().nullable() }),
    /** The salient terms the library was searched for. */
    terms: z.array(z.string()),
    related: z.array(RelatedDocument),
  })
  .meta({ id: 'RelatedDocuments' });
export type RelatedDocuments = z.infer<typeof RelatedDocuments>;

/** Terms read for their rarity (one JSON array: D1 refuses long compound SELECTs), and terms searched. */
const CANDIDATES = 80;
const SALIENT = 30;
/** Documents ranked first by BM25, then scored both ways; how much of a candidate is read. */
const CANDIDATE_DOCUMENTS = 12;
const BACKWARD_CHARS = 60_000;
/**
 * The opening of a document read for its salient terms and words (~30,000 words): what a
 * document is about is in it, and reading all of an 8 MB document held the event loop for
 * seconds on every related-documents request (issue 17).
 */
const SOURCE_CHARS = 200_000;
/** Below this score a document shares only common ground. */
const MIN_SCORE = 0.1;

interface Term {
  /** Lower case (figures without commas): what is looked up. */
  term: string;
  /** As the text first writes it: what is shown. */
  surface: string;
  count: number;
  kind: 'name' | 'figure' | 'term';
}

/** The documents most like `id`, best first (at most `limit`). */
export async function relatedDocuments(
  context: LibraryContext,
  id: string,
  limit: number,
): Promise<RelatedDocuments> {
  const { db } = context;
  const [source] = await db
    .select({ id: documents.id, title: documents.title, text: documents.text })
    .from(documents)
    .where(eq(documents.id, id))
    .limit(1);
  if (!source) throw new AppError('not_found', `No document with id ${id}`);
  // Documents whose briefs have just started may not be indexed yet.
  await indexWaiting(context);
  const sourceText = `${source.title ?? ''}\n${source.text.slice(0, SOURCE_CHARS)}`;
  const salient = await salientTerms(db, sourceText);
  const summary = { id: source.id, title: source.title };
  if (salient.length === 0) return { document: summary, terms: [], related: [] };
  const expression = salient.map(({ term }) => `"${term}"`).join(' OR ');
  const rows = await db.all<{ id: string }>(sql`
    select id from documents_fts where documents_fts match ${expression}
    order by bm25(documents_fts, 0, 2, 1) limit ${Math.max(CANDIDATE_DOCUMENTS, 3 * limit) + 1}`);
  const candidates = rows.filter((row) => row.id !== id).map((row) => row.id);
  if (candidates.length === 0) return { document: summary, terms: termsOf(salient), related: [] };
  const found = await db
    .select({
      id: documents.id,
      title: documents.title,
      chars: documents.chars,
      createdAt: documents.createdAt,
      text: documents.text,
    })
    .from(documents)
    .where(inArray(documents.id, candidates));
  const sourceWords = wordSet(sourceText);
  const related = found
    .map((row) => {
      const text = `${row.title ?? ''}\n${row.text.slice(0, SOURCE_CHARS)}`;
      const words = wordSet(text);
      const total = salient.reduce((sum, term) => sum + term.weight, 0);
      const forward =
        salient.reduce((sum, t) => sum + (words.has(t.term) ? t.weight : 0), 0) / total;
      const score = Math.sqrt(forward * backward(text, sourceWords));
      return {
        id: row.id,
        title: row.title,
        chars: row.chars,
        createdAt: new Date(row.createdAt).toISOString(),
        score: round(score),
        shared: sharedTerms(salient, words),
      };
    })
    .filter((row) => row.score >= MIN_SCORE)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
  return { document: summary, terms: termsOf(salient), related };
}

/**
 * The share of the other document's own most frequent terms that the source has: the ranking
 * looks both ways, so a long report that mentions every common word of the source, but is about
 * something else, does not outrank a short reply about the same thing.
 */
function backward(text: string, sourceWords: ReadonlySet<string>): number {
  const top = countTerms(text.slice(0, BACKWARD_CHARS))
    .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : 1))
    .slice(0, SALIENT);
  const total = top.reduce((sum, term) => sum + term.count, 0);
  if (total === 0) return 0;
  return top.reduce((sum, t) => sum + (sourceWords.has(t.term) ? t.count : 0), 0) / total;
}

const termsOf = (salient: Term[]) => salient.map(({ term }) => term);

/** The text's most salient terms: frequent in it, rare in the library, and in another document. */
async function salientTerms(db: Database, text: string): Promise<Array<Term & { weight: number }>> {
  const counted = countTerms(text)
    .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : 1))
    .slice(0, CANDIDATES);
  if (counted.length === 0) return [];
  const rarity = await db.all<{ term: string; df: number; total: number }>(
    sql`select t.term,
      (select count(*) from documents_fts where documents_fts match '"' || t.term || '"') as df,
      (select count(*) from documents) as total
      from (select value as term from json_each(${JSON.stringify(counted.map(({ term }) => term))})) t`,
  );
  const df = new Map(rarity.map((row) => [row.term, row]));
  return counted
    .map((entry) => {
      const row = df.get(entry.term);
      // The document itself is in the index: a term no other document has finds nothing.
      const others = (row?.df ?? 1) - 1;
      const idf = Math.log(((row?.total ?? 1) + 1) / (others + 0.5));
      return { entry, weight: others > 0 ? (1 + Math.log(entry.count)) * idf : 0 };
    })
    .filter(({ weight }) => weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, SALIENT)
    .map(({ entry, weight }) => ({ ...entry, weight }));
}

/**
 * Content words (no stop words, no one- or two-letter words), names (a word always written with
 * a capital, not only at a sentence start) and figures (numbers of three or more digits and
 * percentages: years, amounts), with their counts.
 */
export function countTerms(text: string): Term[] {
  const analysis = analyse(text);
  const terms = new Map<string, Term & { lowerSeen: boolean }>();
  for (const token of analysis.tokens) {
    const value = token.value;
    if (token.stop || !/^[\p{L}\p{N}]/u.test(value) || value.includes('"')) continue;
    const figure = /^\d[\d,.]*%?$/.test(value);
    if (figure ? value.replace(/\D/g, '').length < 3 && !value.endsWith('%') : value.length < 3)
      continue;
    if (!figure && /\d/.test(value)) continue;
    const key = figure ? value.replace(/,/g, '') : token.lower.replace(/[’']s$/, '');
    const entry = terms.get(key) ?? {
      term: key,
      surface: value.replace(/[’']s$/, ''),
      count: 0,
      kind: figure ? ('figure' as const) : ('name' as const),
      lowerSeen: false,
    };
    entry.count++;
    if (!figure && /^\p{Ll}/u.test(value)) entry.lowerSeen = true;
    terms.set(key, entry);
  }
  return [...terms.values()].map(({ term, surface, count, kind, lowerSeen }) => ({
    term,
    surface: kind === 'name' && lowerSeen ? term : surface,
    count,
    kind: kind === 'name' && lowerSeen ? 'term' : kind,
  }));
}

/** Lower-cased words and figures (without commas) of a text. */
function wordSet(text: string): Set<string> {
  return new Set(
    (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N},.%]*/gu) ?? []).map((word) =>
      word.replace(/[.,]+$/, '').replace(/(?<=\d),(?=\d)/g, ''),
    ),
  );
}

/** Which of the source's salient terms the other text has, by kind. */
function sharedTerms(salient: Term[], words: ReadonlySet<string>): RelatedDocument['shared'] {
  const shared: RelatedDocument['shared'] = { names: [], figures: [], terms: [] };
  for (const { term, surface, kind } of salient) {
    if (!words.has(term)) continue;
    shared[kind === 'name' ? 'names' : kind === 'figure' ? 'figures' : 'terms'].push(surface);
  }
  return shared;
}
