import { matchers } from './lexicon.js';
import type { Analysis } from './nlp.js';
import { quotedRanges } from './quotation.js';
import type { Word } from './words.js';

/**
 * Whose words a passage is. A judgement note (loaded wording, an accusation, a sweeping claim,
 * a persuasion technique) is about the author's own voice, so every detector asks here first:
 *
 * - words inside quotation marks are someone else's, as quoted;
 * - a sentence that reports what another party says, claims or argues ("X said …", "according
 *   to X", "critics argue that …", "some will say that …") is that party's view, reported —
 *   including a view the author sets up in order to reject it;
 * - words inside a name, a title or a statute ("Disaster Relief Act", "Radical Islam" as a
 *   name) are the name's, not a choice of wording.
 *
 * The first person ("we argue", "I say") is the author speaking, so it stays the author's.
 */
export interface Voice {
  /** Character ranges inside quotation marks (the marks included), in order. */
  quoted: Array<[number, number]>;
  /** Sentences that report another party's words or view. */
  reported: Set<number>;
}

const FIRST_PERSON = new Set(['i', 'we', 'us', 'our', 'my']);
const NEGATION = new Set(['not', 'never', "didn't", "doesn't", "don't", 'no', 'nor']);

/**
 * `issuer` is the party the text says issues it (see genre.ts): what "the Federation said" in
 * the Federation's own press release is the author speaking, as "we said" would be.
 */
export function readVoice(
  analysis: Analysis,
  words: readonly Word[][],
  issuer: string | null = null,
): Voice {
  const quoted = quotedRanges(analysis.text);
  const reported = new Set<number>();
  const own = issuerWords(issuer);
  analysis.sentences.forEach((_sentence, index) => {
    if (reportsOthers(words[index]!, own)) reported.add(index);
  });
  return { quoted, reported };
}

/** Whether characters [start, end) of sentence `sentence` are the author's own words. */
export function isAuthorVoice(voice: Voice, sentence: number, start: number, end: number): boolean {
  return !voice.reported.has(sentence) && !insideQuote(voice, start, end);
}

/** Whether [start, end) overlaps a quotation. */
export function insideQuote(voice: Voice, start: number, end: number): boolean {
  // Binary search for the last range starting before `end`.
  let low = 0;
  let high = voice.quoted.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (voice.quoted[middle]![0] < end) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found >= 0 && voice.quoted[found]![1] > start;
}

/**
 * Whether a word run is part of a name, title or statute: a capitalised word that is not the
 * first of its sentence, or a sentence-opening capital followed by more capitalised words.
 * All-capital headline words count too. Lower-case wording is never a name.
 */
export function isNamePart(text: string, list: readonly Word[], from: number, to: number): boolean {
  const capital = (k: number) =>
    k >= 0 && k < list.length && /^\p{Lu}/u.test(text[list[k]!.start]!);
  for (let k = from; k < to; k++) {
    if (!capital(k)) continue;
    if (k > 0) return true;
    if (capital(k + 1) || capital(k - 1)) return true;
  }
  return false;
}

/** The issuer's head word ("federation", "ministry"), which the text uses to name itself. */
export function issuerWords(issuer: string | null): Set<string> {
  const words = (issuer ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 2);
  const head = words.filter((w) => !['of', 'for', 'and', 'the'].includes(w));
  return new Set(head.length > 0 ? [head.at(-1)!, head[0]!] : []);
}

/** A speech or claim verb whose subject is not the author, and not negated. */
function reportsOthers(list: readonly Word[], own: ReadonlySet<string>): boolean {
  for (const match of matchers.speech.find(list)) {
    const before = list.slice(Math.max(0, match.from - 4), match.from).map((w) => w.lower);
    if (before.some((w) => FIRST_PERSON.has(w) || own.has(w))) continue;
    if (before.slice(-2).some((w) => NEGATION.has(w))) continue;
    return true;
  }
  for (const match of matchers.hedge.find(list)) {
    if (match.phrase === 'according to') return true;
  }
  return false;
}
