import { matchers } from '../lexicon.js';
import type { Word } from '../words.js';
import { quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';

/**
 * `unverified_figure`: a number that the sentence hedges ("some 4,000", "reportedly", "an
 * estimated") or sources to one party ("according to X", "X's own figures"). Years, section
 * numbers and list markers are not figures.
 */
const NUMBER = /^\d[\d,.]*(?:%|bn|m|k|st|nd|rd|th)?$/;
const SCALE = new Set([
  'per',
  'cent',
  'percent',
  'million',
  'billion',
  'trillion',
  'thousand',
  'hundred',
  'bn',
  'm',
  'k',
]);
const REFERENCE_WORDS = new Set([
  'section',
  'sec',
  'paragraph',
  'article',
  'title',
  'chapter',
  'part',
  'page',
  'clause',
  'subsection',
  'schedule',
  'no',
  'number',
  'u.s.c',
  'c',
  'stat',
  'law',
]);

export function figureNotes(context: NoteContext): NoteCandidate[] {
  const { analysis, words } = context;
  const out: NoteCandidate[] = [];
  analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = words[index]!;
    const numbers = list
      .map((_w, k) => (isFigure(analysis.text, list, k) ? k : -1))
      .filter((k) => k >= 0);
    if (numbers.length === 0) return;
    const before = matchers.hedgeBeforeNumber
      .find(list)
      .filter((m) => numbers.includes(m.to) || numbers.includes(m.to + 1));
    const hedges = matchers.hedge.find(list);
    if (before.length === 0 && hedges.length === 0) return;
    const number = before[0] ? numbers.find((k) => k >= before[0]!.to)! : numbers[0]!;
    const from = before[0]?.from ?? number;
    let to = number + 1;
    while (to < list.length && SCALE.has(list[to]!.lower) && to - number < 3) to++;
    const figure = surface(context, index, from, to);
    const source = sourceOf(
      context,
      index,
      hedges.map((h) => h.phrase),
    );
    const hedgeWords = [...before.map((m) => m.phrase), ...hedges.map((m) => m.phrase)];
    const qualifier = hedgeWords.length > 0 ? ` with the qualifier "${hedgeWords[0]}"` : '';
    out.push({
      kind: 'unverified_figure',
      claim: `The document gives the figure "${figure}"${source ? ` on the word of ${source}` : qualifier}.`,
      perspective: source
        ? `An assessment independent of ${source}, or the method behind the figure`
        : 'The source and method behind the figure',
      note: source
        ? `The figure rests on ${source}'s own account; the passage gives no independent source or method for it.`
        : `The document presents the figure as approximate or second-hand and does not give its source or method in this passage.`,
      quotes: [quoteAt(context, index, from, to)],
      score: 0.55 + (source ? 0.2 : 0) + Math.min(0.15, 0.05 * hedgeWords.length),
      position: sentence.start,
    });
  });
  return out;
}

function isFigure(text: string, list: readonly Word[], k: number): boolean {
  const word = list[k]!;
  if (!NUMBER.test(word.lower)) return false;
  if (text[word.start - 1] === '(' || text[word.end] === ')') return false; // list markers, (1)
  if (REFERENCE_WORDS.has(list[k - 1]?.lower ?? '')) return false;
  const value = Number(word.lower.replace(/,/g, ''));
  const isYear = /^\d{4}$/.test(word.lower) && value >= 1800 && value <= 2100;
  return !isYear;
}

/** "according to X", "X estimates …", "X's own figures": the one party the figure rests on. */
function sourceOf(
  context: NoteContext,
  sentence: number,
  hedges: readonly string[],
): string | null {
  const mentions = context.cast.mentions.get(sentence) ?? [];
  if (mentions.length === 0) return null;
  const list = context.words[sentence]!;
  const according = list.findIndex(
    (w, k) => w.lower === 'according' && list[k + 1]?.lower === 'to',
  );
  const owned = hedges.some((h) => /own|internal|estimate|claim|projected|forecast/.test(h));
  const mention =
    according >= 0
      ? mentions.find((m) => m.from >= according + 2 && m.from <= according + 3)
      : owned
        ? mentions[0]
        : undefined;
  if (!mention) return null;
  return context.cast.byKey.get(mention.key)?.name ?? null;
}
