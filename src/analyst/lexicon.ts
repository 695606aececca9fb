import loadedData from './data/loaded-language.json' with { type: 'json' };
import cueData from './data/cues.json' with { type: 'json' };
import { PhraseMatcher, wordsOf, type Word } from './words.js';

/**
 * The analyst's word lists, kept as data (`data/*.json`) so they can be reviewed and tested
 * apart from the code that uses them. Matchers are built once per process.
 */
export interface LoadedEntry {
  term: string;
  /** A neutral alternative; empty when the word is best dropped. */
  neutral: string;
  /** 1 mildly evaluative, 2 emotive, 3 strongly charged or name-calling. */
  weight: number;
}

export const LOADED: readonly LoadedEntry[] = loadedData.entries;
export const CUES = cueData;

export type TechniqueName = keyof typeof cueData.techniques;
export const TECHNIQUES = Object.keys(cueData.techniques) as TechniqueName[];

const phraseList = (list: readonly string[]) =>
  list.map((phrase): [string, string] => [phrase, phrase]);

export const matchers = {
  loaded: new PhraseMatcher<LoadedEntry>(LOADED.map((entry) => [entry.term, entry])),
  hedgeBeforeNumber: new PhraseMatcher(phraseList(cueData.hedgesBeforeNumber)),
  hedge: new PhraseMatcher(phraseList(cueData.hedgesInSentence)),
  speech: new PhraseMatcher(phraseList(cueData.speechVerbs)),
  speechNoun: new PhraseMatcher(phraseList(cueData.speechNouns)),
  accuseAfter: new PhraseMatcher(phraseList(cueData.accusationsTargetAfter)),
  accuseBefore: new PhraseMatcher(phraseList(cueData.accusationsTargetBefore)),
  technique: new PhraseMatcher<TechniqueName>(
    TECHNIQUES.flatMap((name) =>
      cueData.techniques[name].map((phrase): [string, TechniqueName] => [phrase, name]),
    ),
  ),
  generalisation: new PhraseMatcher(phraseList(cueData.context.generalisation)),
  causal: new PhraseMatcher(phraseList(cueData.context.causal)),
};

export const GROUPS: ReadonlyMap<string, string> = new Map(Object.entries(cueData.groups));
export const INSTITUTION_HEADS: ReadonlyMap<string, string> = new Map(
  Object.entries(cueData.institutionHeads),
);
export const PERSON_TITLES: ReadonlyMap<string, string> = new Map(
  Object.entries(cueData.personTitles),
);
export const NOT_ACTORS: ReadonlySet<string> = new Set(cueData.notActors);

/** Loaded-language hits in `words` at or above `minWeight`. */
export function findLoaded(words: readonly Word[], minWeight = 1) {
  return matchers.loaded.find(words).filter((match) => match.data.weight >= minWeight);
}

/** Share of words that are loaded (a phrase counts once): the rate the tests compare. */
export function loadedRate(text: string, minWeight = 1): number {
  const words = wordsOf(text);
  return words.length === 0 ? 0 : findLoaded(words, minWeight).length / words.length;
}

/**
 * Replaces loaded words with their neutral alternative (or drops them), keeps the case of the
 * first letter, then repairs what the edit may break: doubled spaces, space before punctuation,
 * `a`/`an` before the new word, and a dangling conjunction ("the costly and project").
 */
export function neutralize(text: string, minWeight = 1): string {
  const words = wordsOf(text);
  const hits = findLoaded(words, minWeight);
  if (hits.length === 0) return text;
  let out = '';
  let cursor = 0;
  let capitalizeNext = false;
  for (const hit of hits) {
    const start = words[hit.from]!.start;
    let end = words[hit.to - 1]!.end;
    const original = text.slice(start, end);
    let replacement = hit.data.neutral;
    let before = text.slice(cursor, start);
    if (capitalizeNext) before = upperFirst(before);
    capitalizeNext = false;
    if (!replacement) {
      // Dropped: take the following space (or comma list separator) with it.
      const after = /^,? ?(and |or )?/.exec(text.slice(end))![0];
      end += after.length;
      if (/^\p{Lu}/u.test(original)) capitalizeNext = true;
      before = before.replace(/, $/, ' ');
    } else if (/^\p{Lu}/u.test(original)) {
      replacement = upperFirst(replacement);
    }
    out += fixArticle(before, replacement || text.slice(end, end + 1)) + replacement;
    cursor = end;
  }
  const rest = text.slice(cursor);
  out += capitalizeNext ? upperFirst(rest) : rest;
  return out.replace(/ {2,}/g, ' ').replace(/ +([,.;:!?])/g, '$1');
}

function upperFirst(text: string): string {
  return text.replace(
    /^(\s*)(\p{Ll})/u,
    (_m, space: string, letter: string) => space + letter.toUpperCase(),
  );
}

/** Repairs `a`/`an` at the end of `before` for the word that now follows it. */
function fixArticle(before: string, next: string): string {
  return before.replace(/\b(a|an|A|An) $/, (_m, article: string) => {
    const wanted = /^[aeiou]/i.test(next) ? 'an' : 'a';
    return `${article[0] === 'A' ? wanted[0]!.toUpperCase() + wanted.slice(1) : wanted} `;
  });
}
