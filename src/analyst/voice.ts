import { matchers } from './lexicon.js';
import type { Analysis } from './nlp.js';
import { quotedRanges } from './quotation.js';
import { endsWithCommaAndTwoWords } from './scan.js';
import type { Word } from './words.js';

/**
 * Whose words a passage is. A judgement note (loaded wording, an accusation, a sweeping claim,
 * a persuasion technique) is about the author's own voice, so every detector asks here first:
 *
 * - words inside quotation marks are someone else's, as quoted;
 * - in a sentence that reports what another party says, claims or argues ("X said …",
 *   "according to X", "critics argue that …", "some will say that …"), what is reported is that
 *   party's view — including a view the author sets up in order to reject it — but the
 *   reporting clause is the author's: how the author names the speaker and the act ("the
 *   embattled chairman", "drew fierce criticism") is the author's choice of words;
 * - words inside a name, a title or a statute ("Disaster Relief Act", "Radical Islam" as a
 *   name) are the name's, not a choice of wording.
 *
 * The first person ("we argue", "I say") is the author speaking, so it stays the author's.
 */
export interface Voice {
  /** Character ranges inside quotation marks (the marks included), in order. */
  quoted: Array<[number, number]>;
  /** Per sentence that reports another party's words or view, the character range reported. */
  reported: Map<number, [number, number]>;
}

const FIRST_PERSON = new Set(['i', 'we', 'us', 'our', 'my']);
const RELATIVE = new Set(['who', 'which', 'that', 'whom']);
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
  const reported = new Map<number, [number, number]>();
  const own = issuerWords(issuer);
  analysis.sentences.forEach((sentence, index) => {
    const range = reportedRange(analysis.text, sentence, words[index]!, own);
    if (range) reported.set(index, range);
  });
  return { quoted, reported };
}

/** Whether characters [start, end) of sentence `sentence` are the author's own words. */
export function isAuthorVoice(voice: Voice, sentence: number, start: number, end: number): boolean {
  const range = voice.reported.get(sentence);
  if (range && start < range[1] && end > range[0]) return false;
  return !insideQuote(voice, start, end);
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

/** After the verb, at most this many words: "…, the minister said on Friday." is inverted. */
const INVERTED_TAIL_WORDS = 8;

/**
 * What a sentence reports of another party's words, as a character range, or null when it
 * reports none: a speech or claim verb whose subject is not the author and not negated, or
 * "according to". "X said (that) …" reports what follows the verb; "…, X said." and "…, said
 * X." what precedes the speaker; "According to X, …" what follows the comma; "…, according to
 * X." what precedes it.
 */
function reportedRange(
  text: string,
  sentence: { start: number; end: number },
  list: readonly Word[],
  own: ReadonlySet<string>,
): [number, number] | null {
  for (const match of matchers.speech.find(list)) {
    const before = list.slice(Math.max(0, match.from - 4), match.from).map((w) => w.lower);
    if (before.some((w) => FIRST_PERSON.has(w) || own.has(w))) continue;
    if (before.slice(-2).some((w) => NEGATION.has(w))) continue;
    // "the people who replied": a relative clause names someone, it reports nothing.
    if (RELATIVE.has(before.at(-1) ?? '')) continue;
    const verbStart = list[match.from]!.start;
    const verbEnd = list[match.to - 1]!.end;
    // "The plan, critics say, is reckless": a parenthetical report covers the whole sentence
    // (a comma, then a subject of one or two words, right before the verb).
    if (
      /^\s*,/.test(text.slice(verbEnd, verbEnd + 3)) &&
      endsWithCommaAndTwoWords(text.slice(sentence.start, verbStart))
    )
      return [sentence.start, sentence.end];
    // "…, saying it was reckless": a participle reports what follows it.
    if (!/ing$/.test(match.phrase) && list.length - match.to <= INVERTED_TAIL_WORDS) {
      // "…," Inslee said. / "…, said the minister." — the report ends at the last comma or
      // closing quotation mark before the speaker.
      const head = text.slice(sentence.start, verbStart);
      const cut = Math.max(head.lastIndexOf(','), head.lastIndexOf('”'), head.lastIndexOf('"'));
      if (cut > 0) return [sentence.start, sentence.start + cut + 1];
    }
    return [verbEnd, sentence.end];
  }
  for (const match of matchers.hedge.find(list)) {
    if (match.phrase !== 'according to') continue;
    const at = list[match.from]!.start;
    if (match.from === 0) {
      const from = list[match.to - 1]!.end;
      const comma = text.slice(from, sentence.end).indexOf(',');
      return [comma >= 0 ? from + comma : at, sentence.end];
    }
    return [sentence.start, at];
  }
  return null;
}
