import { findLoaded, neutralize } from './lexicon.js';
import { countWords, wordsOf, type Word } from './words.js';

/**
 * Turns a source sentence into neutral, attributed prose: markup and list markers removed,
 * loaded wording replaced by the lexicon's neutral alternative, first person turned into
 * "the authors", and the claim attributed ("The document states that …"). Numbers are never
 * rewritten. The citation keeps the original wording; only the prose is changed.
 */
export type Lead = 'The document' | 'It';

export function plainText(raw: string): string {
  return raw
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|`)/g, '')
    .replace(/^(?:#+\s*|[-*+>]\s+|\d{1,3}[.)]\s+|\((?:[a-zA-Z]{1,4}|\d{1,3})\)\s*)+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "I" only when it is not a numeral after a capitalised word ("Title I", "World War I"). */
const FIRST_PERSON =
  /\b(we|us|our|ours|ourselves|We|Our|my|My|me)\b|(?<![A-Z][a-z]* )\bI\b(?! of\b)/;
const FIRST_PERSON_MAP: Record<string, string> = {
  we: 'the authors',
  us: 'the authors',
  our: "the authors'",
  ours: "the authors'",
  ourselves: 'themselves',
  my: "the author's",
  me: 'the author',
  i: 'the author',
};

/** Rewrites first person outside quotation marks only: quoted words stay as spoken. */
function thirdPerson(text: string): string {
  return text
    .split(/(["“][^"”]*["”])/)
    .map((part, k) => (k % 2 === 1 ? part : thirdPersonPlain(part)))
    .join('');
}

function thirdPersonPlain(text: string): string {
  return text
    .replace(
      /\bI (am|was|have)\b/g,
      (_m, verb: string) => `the author ${verb === 'am' ? 'is' : verb === 'have' ? 'has' : 'was'}`,
    )
    .replace(
      /(?<![A-Z][a-z]* )\bI\b(?! of\b)( [a-z]+)?/g,
      (_m, verb?: string) => `the author${verb ? ` ${thirdSingular(verb.trim())}` : ''}`,
    )
    .replace(
      /\b(We|we|us|Our|our|ours|ourselves|My|my|me)\b/g,
      (word) => FIRST_PERSON_MAP[word.toLowerCase()]!,
    );
}

const UNCHANGED = new Set([
  'will',
  'would',
  'can',
  'could',
  'shall',
  'should',
  'must',
  'might',
  'may',
  'did',
  'was',
  'had',
  'also',
  'still',
  'never',
  'always',
  'often',
  'just',
  'really',
  'only',
  'not',
  'too',
]);

/** "rise" → "rises", "do" → "does", "am" → "is": the verb after a first-person "I". */
function thirdSingular(verb: string): string {
  if (verb === 'am') return 'is';
  if (verb === 'have') return 'has';
  if (UNCHANGED.has(verb) || verb.endsWith('ed') || verb.endsWith('ly')) return verb;
  if (/(s|sh|ch|x|o)$/.test(verb)) return `${verb}es`;
  if (/[^aeiou]y$/.test(verb)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

const ARGUES = /\b(should|must|ought|need to|needs to|have to|has to|cannot afford|it is time)\b/i;
const SPEECH = /\b(said|says|told|argued|stated|added|warned|insisted)\b/;

export function verbFor(body: string, original: string): 'argues' | 'reports' | 'states' {
  if (ARGUES.test(body) || FIRST_PERSON.test(original) || findLoaded(wordsOf(original)).length > 0)
    return 'argues';
  if (/\d/.test(body)) return 'reports';
  return 'states';
}

/**
 * One sentence as summary prose. `lowercase` holds words the chunk writes in lower case, so a
 * capitalised opening word can be told from a name ("Critics" vs "Parliament").
 */
export function renderSentence(
  original: string,
  lead: Lead,
  lowercase: ReadonlySet<string>,
): string {
  let body = plainText(original).replace(
    /^(?:But|And|So|Yet|Or|However,|Moreover,|Furthermore,|Indeed,)\s+/,
    '',
  );
  body = neutralize(body).replace(/[\s,;:\-—–]+$/, '');
  if (FIRST_PERSON.test(body)) body = thirdPerson(body);
  if (!/[.!?"”'’]$/.test(body)) body += '.';
  body = body.replace(/!$/, '.');
  if (/^["“‘]/.test(body) || (/["“]/.test(body) && SPEECH.test(body))) {
    return `${lead === 'It' ? 'The document also reports' : 'According to the document'}, ${body}`;
  }
  if (/\?["”]?$/.test(body)) return `${lead} asks: ${body}`;
  const verb = verbFor(body, original);
  return `${lead} ${verb} that ${lowerFirst(body, lowercase)}`;
}

function lowerFirst(body: string, lowercase: ReadonlySet<string>): string {
  const first = /^[\p{L}][\p{L}'’-]*/u.exec(body)?.[0];
  if (!first || /\p{Lu}.*\p{Lu}/u.test(first)) return body; // acronyms keep their case
  const nextCapital = /^[\p{L}'’-]+ \p{Lu}/u.test(body); // "Madam Deputy Speaker" stays a name
  if (
    first === 'The' ||
    first === 'A' ||
    first === 'An' ||
    (lowercase.has(first.toLowerCase()) && !nextCapital)
  ) {
    return body[0]!.toLowerCase() + body.slice(1);
  }
  return body;
}

/** Cuts prose to at most `maxWords` words, at a clause boundary when one is near. */
export function cutWords(text: string, maxWords: number): string {
  const words = wordsOf(text);
  if (words.length <= maxWords) return text;
  const limit = words[maxWords - 1]!.end;
  const clause = Math.max(text.lastIndexOf(',', limit), text.lastIndexOf(';', limit));
  const end = clause > 0 && countWords(text.slice(0, clause)) >= maxWords * 0.6 ? clause : limit;
  return `${text.slice(0, end).replace(/[\s,;:]+$/, '')}…`;
}

/**
 * Words a sentence-opening capital does not make a name: those the chunk also writes in lower
 * case, or never capitalises mid-sentence ("Critics said…" vs "… told Parliament").
 */
export function lowercaseWords(text: string, words: readonly Word[] = wordsOf(text)): Set<string> {
  const lower = new Set<string>();
  const midCapital = new Set<string>();
  const capital = new Set<string>();
  for (const word of words) {
    if (/^\p{Ll}/u.test(text[word.start]!)) {
      lower.add(word.lower);
      continue;
    }
    capital.add(word.lower);
    let k = word.start - 1;
    while (k >= 0 && (text[k] === ' ' || text[k] === '\t')) k--;
    if (k >= 0 && /[\p{L}\p{N},;]/u.test(text[k]!)) midCapital.add(word.lower);
  }
  for (const word of capital) if (!midCapital.has(word)) lower.add(word);
  return lower;
}
