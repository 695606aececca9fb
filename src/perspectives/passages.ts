import { analyse } from '../analyst/nlp.js';
import { wordsOf } from '../analyst/words.js';
import type { PassageInput } from '../llm/provider.js';
import { yieldToEventLoop } from '../lib/wait.js';

/**
 * The retrieval half of perspectives, shared by both providers: which sentences of a document
 * are its key claims, and which passages of another document might answer each one. A provider
 * then reads only a claim and its retrieved passages, never a whole document, so every call's
 * size is bounded (`PASSAGES_PER_CLAIM` × `MAX_PASSAGE_CHARS` plus one claim).
 */
export const MAX_CLAIMS_PER_DOCUMENT = 12;
export const PASSAGES_PER_CLAIM = 5;
export const MAX_PASSAGE_CHARS = 1_200;
/** A passage must cover this share of a claim's weighted terms to be retrieved for it. */
const MIN_RETRIEVAL_SCORE = 0.15;

export interface Passage extends PassageInput {
  /** Stems of the passage's content words. */
  stems: Set<string>;
  figures: Figure[];
}

export interface Figure {
  value: number;
  /** What is counted: the stem of the noun after the number, `money`, `percent`, `year`, `date`. */
  quantity: string;
  /** Stems of the first content words after the number ("12 consultation meetings"). */
  nouns: string[];
  /** The figure as written ("£2.4 million", "420 jobs"). */
  text: string;
}

/** A stored document, as perspectives reads it. */
export interface DocumentToRead {
  id: string;
  title: string | null;
  text: string;
}

export interface ReadDocument {
  id: string;
  title: string | null;
  text: string;
  passages: Passage[];
  claims: Passage[];
}

/** Sentences that refer back ("That is false.") carry the sentence before them. */
const ANAPHOR = /^(?:this|that|these|those|it|such|the claim|the figure|the statement)\b/i;
const SUFFIXES = ['ations', 'ation', 'ings', 'ing', 'ies', 'ed', 'es', 's'];

/** A light stem, enough to match "consulted" with "consultation" and "jobs" with "job". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, '');
  for (const suffix of SUFFIXES) {
    if (w.length - suffix.length >= 4 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length) + (suffix === 'ies' ? 'y' : '');
      break;
    }
  }
  return w;
}

const SCALE: Record<string, number> = {
  thousand: 1e3,
  million: 1e6,
  m: 1e6,
  mn: 1e6,
  billion: 1e9,
  bn: 1e9,
  b: 1e9,
};
const CURRENCY = /[£$€¥]$/;
const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december';
/** "30 September 2025", "September 30, 2025": one date, not three numbers. */
const DATE = new RegExp(
  `\\b(?:\\d{1,2} (?:${MONTHS}) \\d{4}|(?:${MONTHS}) \\d{1,2},? \\d{4})\\b`,
  'giu',
);
/** Quantities any topic shares (money, a percentage, a year, a date): they need more in common. */
export const GENERIC_QUANTITIES: ReadonlySet<string> = new Set([
  'money',
  'percent',
  'year',
  'date',
]);
const NUMBER =
  /[£$€¥]?\d[\d,]*(?:\.\d+)?(?:\s?(?:thousand|million|billion|bn|mn|m|b)\b)?(?:\s?(?:%|per cent|percent))?/giu;
/** Words between a number and the noun it counts ("420 dock jobs", "3 of the meetings"). */
const SKIP = new Set(['of', 'the', 'a', 'an', 'more', 'new', 'full-time', 'extra', 'additional']);

/** The figures of a sentence: each number with the quantity it counts. */
export function figuresOf(text: string, stopWords: ReadonlySet<string>): Figure[] {
  const out: Figure[] = [];
  const dates: Array<[number, number]> = [];
  for (const match of text.matchAll(DATE)) {
    const value = Date.parse(match[0].replace(/(\d),/, '$1'));
    dates.push([match.index, match.index + match[0].length]);
    if (Number.isFinite(value)) out.push({ value, quantity: 'date', nouns: [], text: match[0] });
  }
  for (const match of text.matchAll(NUMBER)) {
    if (dates.some(([a, b]) => match.index >= a && match.index < b)) continue;
    const written = match[0];
    const digits = /\d[\d,]*(?:\.\d+)?/.exec(written)![0];
    let value = Number(digits.replace(/,/g, ''));
    if (!Number.isFinite(value)) continue;
    const scale = /(thousand|million|billion|bn|mn|m|b)\b/i.exec(written.slice(digits.length));
    if (scale) value *= SCALE[scale[1]!.toLowerCase()]!;
    const before = text.slice(Math.max(0, match.index - 1), match.index);
    let quantity: string;
    let nouns: string[] = [];
    if (/%|per ?cent/i.test(written)) quantity = 'percent';
    else if (CURRENCY.test(written[0] ?? '') || CURRENCY.test(before)) quantity = 'money';
    else if (!scale && /^(?:19|20)\d\d$/.test(digits)) quantity = 'year';
    else {
      nouns = wordsOf(text, match.index + written.length)
        .slice(0, 3)
        .filter((w) => !SKIP.has(w.lower) && !stopWords.has(w.lower) && !/\d/.test(w.lower))
        .map((w) => stem(w.lower));
      if (nouns.length === 0) continue;
      quantity = nouns[0]!;
    }
    out.push({ value, quantity, nouns, text: written.trim() });
  }
  return out;
}

/** Text analysed in one go (~20 ms of wink-nlp): the event loop runs between two blocks. */
const BLOCK_CHARS = 20_000;

/** A turn of the event loop (Node and Workers alike). */

/**
 * Reads a document into passages: a sentence, with the one before when it refers back. The text
 * is read in blocks cut at paragraph breaks, with a turn of the event loop between blocks, so a
 * long document does not hold the server (issue 17). Claims are picked later (`pickClaims`).
 */
export async function readDocument(document: DocumentToRead): Promise<ReadDocument> {
  const passages: Passage[] = [];
  let previous: { start: number; terms: string[]; heading: boolean } | undefined;
  for (const [from, to] of blocks(document.text)) {
    const analysis = analyse(document.text.slice(from, to));
    const stopWords = new Set(analysis.tokens.filter((t) => t.stop).map((t) => t.lower));
    for (const sentence of analysis.sentences) {
      const here = {
        start: from + sentence.start,
        terms: sentence.terms,
        heading: sentence.heading,
      };
      if (!sentence.heading && sentence.words >= 4) {
        const joined = previous !== undefined && !previous.heading && ANAPHOR.test(sentence.text);
        const start = joined ? previous!.start : here.start;
        const end = Math.min(from + sentence.end, start + MAX_PASSAGE_CHARS);
        const stems = new Set(sentence.terms.map(stem).filter((t) => t.length > 2));
        if (joined) for (const term of previous!.terms) stems.add(stem(term));
        passages.push({
          text: document.text.slice(start, end),
          start,
          end,
          stems,
          figures: figuresOf(sentence.text, stopWords),
        });
      }
      previous = here;
    }
    if (to < document.text.length) await yieldToEventLoop();
  }
  return { ...document, passages, claims: [] };
}

/** [from, to) blocks of about BLOCK_CHARS, cut at a paragraph break, else a line break. */
function blocks(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let from = 0; from < text.length; ) {
    let to = Math.min(text.length, from + BLOCK_CHARS);
    if (to < text.length) {
      const floor = from + BLOCK_CHARS / 2;
      const paragraph = text.lastIndexOf('\n\n', to);
      const line = text.lastIndexOf('\n', to);
      if (paragraph > floor) to = paragraph;
      else if (line > floor) to = line;
    }
    out.push([from, to]);
    from = to;
  }
  return out;
}

/** Inverse document frequency of each stem over the passages of every document read. */
export function idfOf(documents: readonly ReadDocument[]): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const document of documents) {
    for (const passage of document.passages) {
      total++;
      for (const s of passage.stems) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
  }
  const idf = new Map<string, number>();
  for (const [s, n] of counts) idf.set(s, Math.log(1 + total / n));
  return idf;
}

/** The share of the claim's weighted stems that the passage also has (0–1). */
export function coverage(
  claim: Passage,
  passage: Passage,
  idf: ReadonlyMap<string, number>,
): number {
  let shared = 0;
  let all = 0;
  for (const s of claim.stems) {
    const weight = idf.get(s) ?? 1;
    all += weight;
    if (passage.stems.has(s)) shared += weight;
  }
  return all === 0 ? 0 : shared / all;
}

const CLAIM_CUE =
  /\b(?:will|would|has|have|had|was|were|is|are|never|not|no|denies|denied|false|blame[sd]?|accuse[sd]?|caused?|because|lost|cost|cut|close[sd]?|consult(?:ed|ation)?)\b/i;

/**
 * Picks each document's key claims: sentences that state a figure or a date, or assert, accuse
 * or deny (`CLAIM_CUE`), ranked by how much of them the other documents share, at most
 * `MAX_CLAIMS_PER_DOCUMENT`, in document order. Mutates `documents[i].claims`.
 */
export async function pickClaims(
  documents: ReadDocument[],
  idf: ReadonlyMap<string, number>,
): Promise<void> {
  for (const document of documents) {
    const others = documents.filter((d) => d !== document);
    const best = await bestCoverage(
      document.passages,
      others.flatMap((d) => d.passages),
      idf,
    );
    const scored = document.passages
      .map((passage, order) => {
        const stated = passage.figures.length > 0 ? 1 : CLAIM_CUE.test(passage.text) ? 0.5 : 0;
        return { passage, order, score: best[order]! + stated };
      })
      .filter((entry) => entry.score >= 0.5 && !ANAPHOR.test(entry.passage.text));
    scored.sort((a, b) => b.score - a.score || a.order - b.order);
    document.claims = scored
      .slice(0, MAX_CLAIMS_PER_DOCUMENT)
      .sort((a, b) => a.order - b.order)
      .map((entry) => entry.passage);
  }
}

/** Passages scored between two turns of the event loop (a few ms of work on long documents). */
const PASSAGES_PER_TURN = 50;

/**
 * For each passage, its best `coverage` by any of `others`, through an index of the others'
 * stems: the work grows with the pairs that share a word, not with every pair. Long documents
 * share many words, so the event loop gets a turn every PASSAGES_PER_TURN passages.
 */
async function bestCoverage(
  passages: readonly Passage[],
  others: readonly Passage[],
  idf: ReadonlyMap<string, number>,
): Promise<number[]> {
  const postings = new Map<string, number[]>();
  for (let index = 0; index < others.length; index++) {
    if (index > 0 && index % PASSAGES_PER_TURN === 0) await yieldToEventLoop();
    for (const s of others[index]!.stems) {
      const list = postings.get(s);
      if (list) list.push(index);
      else postings.set(s, [index]);
    }
  }
  const shared = new Float64Array(others.length);
  const out: number[] = [];
  for (const passage of passages) {
    if (out.length > 0 && out.length % PASSAGES_PER_TURN === 0) await yieldToEventLoop();
    shared.fill(0);
    let all = 0;
    for (const s of passage.stems) {
      const weight = idf.get(s) ?? 1;
      all += weight;
      for (const index of postings.get(s) ?? []) shared[index]! += weight;
    }
    let max = 0;
    for (const value of shared) if (value > max) max = value;
    out.push(all === 0 ? 0 : max / all);
  }
  return out;
}

/** The passages of `other` most likely to answer `claim`, best first (at most PASSAGES_PER_CLAIM). */
export function retrieve(
  claim: Passage,
  other: ReadDocument,
  idf: ReadonlyMap<string, number>,
): Passage[] {
  return other.passages
    .map((passage, order) => {
      const sameQuantity = claim.figures.some((f) =>
        passage.figures.some(
          (g) =>
            f.nouns.some((n) => g.nouns.includes(n)) ||
            (f.nouns.length === 0 && g.quantity === f.quantity),
        ),
      );
      return { passage, order, score: coverage(claim, passage, idf) + (sameQuantity ? 0.1 : 0) };
    })
    .filter((entry) => entry.score >= MIN_RETRIEVAL_SCORE)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, PASSAGES_PER_CLAIM)
    .map((entry) => entry.passage);
}
