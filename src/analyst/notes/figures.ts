import { isIndependentSource, matchers } from '../lexicon.js';
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

/**
 * A figure is one party's word when the sentence gives it on that party's say-so ("the Ministry
 * said … 40%", "according to the Alliance", "the Federation's own survey") and the party is not
 * an independent body (a statistics office, an auditor, a court, a cited study); or when it is
 * second-hand ("reportedly", "is said to", "sources say"). A rounded figure ("about 2,000",
 * "up to $250,000") is not unsourced for being round, and a figure with no hedge and no party
 * is left alone: the analyst cannot tell a fact from a claim there.
 */
export function figureNotes(context: NoteContext): NoteCandidate[] {
  const { analysis, words } = context;
  const out: NoteCandidate[] = [];
  analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = words[index]!;
    const numbers = list
      .map((_w, k) => (isFigure(analysis.text, list, k) ? k : -1))
      .filter((k) => k >= 0);
    // A provision ("the Secretary shall pay $1,000") sets a figure; it does not report one.
    if (numbers.length === 0 || list.some((w) => w.lower === 'shall')) return;
    const party = partyOf(context, index);
    const secondHand = matchers.secondHand.find(list)[0];
    if (!secondHand && (!party || isIndependentSource(party))) return;
    const isNumber = new Set(numbers);
    const before = matchers.hedgeBeforeNumber
      .find(list)
      .filter((m) => isNumber.has(m.to) || isNumber.has(m.to + 1));
    const number = before[0] ? numbers.find((k) => k >= before[0]!.to)! : numbers[0]!;
    const from = before[0]?.from ?? number;
    let to = number + 1;
    while (to < list.length && SCALE.has(list[to]!.lower) && to - number < 3) to++;
    const unit = analysis.text[list[to - 1]!.end] === '%' ? '%' : '';
    const figure = surface(context, index, from, to) + unit;
    out.push({
      kind: 'unverified_figure',
      claim: party
        ? `The document gives the figure "${figure}" on the word of ${party}.`
        : `The document gives the figure "${figure}" second-hand ("${secondHand!.phrase}").`,
      perspective: party
        ? `An assessment independent of ${party}, or the method behind the figure`
        : 'The source and method behind the figure',
      note: party
        ? `The figure rests on ${party}'s own account; the passage gives no independent source or method for it.`
        : 'The document passes the figure on without naming who produced it or how.',
      quotes: [quoteAt(context, index, Math.min(from, secondHand?.from ?? from), to)],
      score: 0.6 + (party ? 0.2 : 0),
      position: sentence.start,
    });
  });
  return out;
}

/** Per chunk, the words written after "the " (lower case, sorted), for `writesThe`. */
const afterThe = new WeakMap<object, string[]>();

/**
 * `text.toLowerCase().includes(`the ${word}`)` for a word without whitespace, with the chunk
 * read once rather than once per sentence that gives a figure: `word` begins one of the words
 * written after "the ".
 */
function writesThe(analysis: { text: string }, word: string): boolean {
  let words = afterThe.get(analysis);
  if (!words) {
    const lower = analysis.text.toLowerCase();
    const found = new Set<string>();
    for (let at = lower.indexOf('the '); at !== -1; at = lower.indexOf('the ', at + 1)) {
      let end = at + 4;
      while (end < lower.length && !/\s/.test(lower[end]!)) end++;
      found.add(lower.slice(at + 4, end));
    }
    words = [...found].sort();
    afterThe.set(analysis, words);
  }
  let low = 0;
  let high = words.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (words[middle]! < word) low = middle + 1;
    else high = middle;
  }
  return low < words.length && words[low]!.startsWith(word);
}

function isFigure(text: string, list: readonly Word[], k: number): boolean {
  const word = list[k]!;
  if (!NUMBER.test(word.lower)) return false;
  if (text[word.start - 1] === '(' || text[word.end] === ')') return false; // list markers, (1)
  if (REFERENCE_WORDS.has(list[k - 1]?.lower ?? '')) return false;
  const value = Number(word.lower.replace(/,/g, ''));
  const isYear = /^\d{4}$/.test(word.lower) && value >= 1800 && value <= 2100;
  // "1", "3": counts too small to rest on anyone's word, unless scaled ("3 million", "3%").
  const scaled = /%$/.test(word.lower) || SCALE.has(list[k + 1]?.lower ?? '');
  return !isYear && (value >= 10 || scaled);
}

/**
 * The party a sentence gives its figure on: "according to X", "X said / claims / estimates …"
 * (X the nearest actor before the verb, with no other actor between), or "X's own figures".
 * The author's own figures ("we estimate", "our survey") are the document's word.
 */
function partyOf(context: NoteContext, sentence: number): string | null {
  const list = context.words[sentence]!;
  const mentions = context.cast.mentions.get(sentence) ?? [];
  // A party is an actor with a name a reader knows: not a place ("the State of Alaska"), not a
  // numeral or a bare label ("II").
  const name = (key: string) => {
    const actor = context.cast.byKey.get(key);
    if (!actor || actor.place || !/\p{Ll}/u.test(actor.name)) return null;
    // "the Ministry", as the text says it, for a one-word institution.
    const the = !actor.name.includes(' ') && writesThe(context.analysis, actor.name.toLowerCase());
    return the ? `the ${actor.name}` : actor.name;
  };
  const according = list.findIndex(
    (w, k) => w.lower === 'according' && list[k + 1]?.lower === 'to',
  );
  if (according >= 0) {
    const mention = mentions.find((m) => m.from >= according + 2 && m.from <= according + 3);
    if (mention) return name(mention.key);
  }
  for (const verb of [...matchers.figureVerb.find(list), ...matchers.ownFigures.find(list)]) {
    const before = list.slice(Math.max(0, verb.from - 3), verb.from).map((w) => w.lower);
    if (before.some((w) => w === 'we' || w === 'our' || w === 'i' || w === 'my'))
      return 'the author';
    // "it is estimated": a passive names no party. The subject is in the verb's own clause.
    if (['is', 'are', 'was', 'were', 'been', 'be'].includes(before.at(-1) ?? '')) continue;
    const subject = [...mentions]
      .reverse()
      .find(
        (m) =>
          m.to <= verb.from &&
          verb.from - m.to <= 8 &&
          !/[,;:]/.test(context.analysis.text.slice(list[m.to - 1]!.end, list[verb.from]!.start)),
      );
    if (subject) return name(subject.key);
  }
  return null;
}
