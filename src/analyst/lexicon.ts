import loadedData from './data/loaded-language.json' with { type: 'json' };
import cueData from './data/cues.json' with { type: 'json' };
import { quotedRanges } from './quotation.js';
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
  agent: new PhraseMatcher(phraseList(cueData.agentVerbs)),
  stance: new PhraseMatcher(phraseList(cueData.stanceVerbs)),
  accuseAfter: new PhraseMatcher(phraseList(cueData.accusationsTargetAfter)),
  accuseBefore: new PhraseMatcher(phraseList(cueData.accusationsTargetBefore)),
  technique: new PhraseMatcher<TechniqueName>(
    TECHNIQUES.flatMap((name) =>
      cueData.techniques[name].map((phrase): [string, TechniqueName] => [phrase, name]),
    ),
  ),
  generalisation: new PhraseMatcher(phraseList(cueData.context.generalisation)),
  unheard: new PhraseMatcher(phraseList(cueData.unheard)),
  secondHand: new PhraseMatcher(phraseList(cueData.secondHand)),
  figureVerb: new PhraseMatcher(phraseList(cueData.figureVerbs)),
  ownFigures: new PhraseMatcher(phraseList(cueData.ownFigures)),
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

/** Words that open a sentence and are never a name: lower-cased after "that". */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  'the a an this these that those it its there their they he she his her in on at for with as if when while although though since because some many most all each every no our your any both either neither such one two three several few under over after before during'.split(
    ' ',
  ),
);

/**
 * Words naming a body whose figures are not one side's word: statistics offices, auditors,
 * courts, universities and journals (a cited study), fiscal watchdogs.
 */
export function isIndependentSource(name: string): boolean {
  const lower = name.toLowerCase();
  return cueData.independentSources.some((word) => lower.includes(word));
}

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
 * Re-words the author's loaded words in prose the analyst writes, and only where the edit keeps
 * every fact and the grammar:
 * - words inside quotation marks are someone's words as quoted, and stay;
 * - a capitalised word next to another capitalised word is part of a name ("Disaster Relief
 *   Act", "Forever GI Bill"), and stays;
 * - a modifier (an adjective, adverb or participle: "draconian", "slashed") may take the
 *   lexicon's neutral alternative; a phrase may lose its loaded modifier when its head noun
 *   stays ("vanity project" → "project");
 * - a qualifier is dropped only before the word it qualifies and not after an intensifier or a
 *   linking verb ("the most reckless transfers", "it was shameful" cannot lose the word);
 * - a loaded noun names something ("profiteers", "disaster"): another noun would change what
 *   is said, so it stays.
 * `kept` counts the author's loaded words left as they were, so a caller can prefer prose
 * without them.
 */
export function rewordLoaded(text: string, minWeight = 1): { text: string; kept: number } {
  const words = wordsOf(text);
  const hits = findLoaded(words, minWeight);
  if (hits.length === 0) return { text, kept: 0 };
  const quoted = quotedRanges(text);
  let out = '';
  let cursor = 0;
  let kept = 0;
  let capitalizeNext = false;
  let q = 0; // the last quotation opened before the hit (quotations are in order and disjoint)
  for (const hit of hits) {
    const start = words[hit.from]!.start;
    let end = words[hit.to - 1]!.end;
    while (q + 1 < quoted.length && quoted[q + 1]![0] <= start) q++;
    const inQuote = q < quoted.length && start >= quoted[q]![0] && end <= quoted[q]![1];
    if (inQuote || insideName(text, words, hit)) continue;
    const edit = safeEdit(text, words, hit);
    if (edit === null) {
      kept++;
      continue;
    }
    const original = text.slice(start, end);
    let replacement = edit;
    let before = text.slice(cursor, start);
    if (capitalizeNext) before = upperFirst(before);
    capitalizeNext = false;
    if (!replacement) {
      // Dropped: take the following space (or comma list separator) with it.
      const after = /^,? ?(and |or )?/.exec(text.slice(end, end + 6))![0];
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
  return { text: out.replace(/ {2,}/g, ' ').replace(/ +([,.;:!?])/g, '$1'), kept };
}

/** `rewordLoaded`'s text: for headlines and roles, where a kept word is acceptable. */
export function neutralize(text: string, minWeight = 1): string {
  return rewordLoaded(text, minWeight).text;
}

type LoadedHit = ReturnType<typeof findLoaded>[number];

const MODIFIER = /(?:ian|ous|ful|less|ive|ic|al|ing|ed|ly|ible|able|ant|ent|ary|ish)$/;
/** Endings of nouns ("profiteers", "disaster", "cronyism"): a loaded noun names something. */
const NOUN =
  /(?:[^su'’]s|ers?|eers?|sters?|ists?|isms?|tions?|ments?|ness|ities|ity|ences?|ances?|dom|hood|ship)$/;
const NO_DROP_AFTER = new Set([
  'most',
  'more',
  'least',
  'less',
  'very',
  'so',
  'too',
  'as',
  'how',
  'really',
  'truly',
  'extremely',
  'quite',
  'rather',
  'utterly',
  'deeply',
  'is',
  'was',
  'are',
  'were',
  'be',
  'been',
  'being',
  'seems',
  'seemed',
  'looks',
  'became',
  'become',
  'remains',
  'remain',
  'sounds',
]);

/** The neutral text for one hit, or null when no edit keeps the facts and the grammar. */
function safeEdit(text: string, words: readonly Word[], hit: LoadedHit): string | null {
  const neutral = hit.data.neutral;
  const term = hit.data.term;
  const previous = words[hit.from - 1];
  const next = words[hit.to];
  const adjacentNext = next && /^\s*$/.test(text.slice(words[hit.to - 1]!.end, next.start));
  if (!neutral) {
    if (previous && NO_DROP_AFTER.has(previous.lower)) return null;
    return adjacentNext && /^\p{L}/u.test(text.slice(next.start, next.end)) ? '' : null;
  }
  const termWords = term.split(/\s+/);
  const neutralWords = neutral.split(/\s+/);
  if (termWords.length > 1) return termWords.at(-1) === neutralWords.at(-1) ? neutral : null;
  if (NOUN.test(term) && !MODIFIER.test(term)) return null;
  return neutralWords.length === 1 || /(?:ed|ing|ly)$/.test(term) ? neutral : null;
}

/** A capitalised hit beside another capitalised word, not at a sentence start: a name. */
function insideName(text: string, words: readonly Word[], hit: LoadedHit): boolean {
  const first = words[hit.from]!;
  if (!/^\p{Lu}/u.test(text[first.start]!)) return false;
  const capital = (w: Word | undefined) => w !== undefined && /^\p{Lu}/u.test(text[w.start]!);
  const previous = words[hit.from - 1];
  const startsSentence =
    !previous ||
    /[.!?:"“]\s*$/.test(text.slice(previous.end, first.start) || text.slice(0, first.start));
  return capital(words[hit.to]) || (capital(previous) && !startsSentence);
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
