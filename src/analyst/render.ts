import { DATELINE, STANDFIRST } from './genre.js';
import { FUNCTION_WORDS, findLoaded, rewordLoaded } from './lexicon.js';
import { quotationsBalanced } from './quotation.js';
import { pairedSpans, replaceSpans, trimEmphasisEnds, trimEndWhile, unlink } from './scan.js';
import { countWords, wordsOf, type Word } from './words.js';

/**
 * Turns a source sentence into neutral, attributed prose: markup and list markers removed,
 * loaded wording replaced by the lexicon's neutral alternative, first person turned into
 * "the authors", and the claim attributed ("The document states that …"). Numbers are never
 * rewritten. The citation keeps the original wording; only the prose is changed.
 */
/** "The document", "This op-ed by Hollis Marr" (a summary's first sentence) or "It". */
export type Lead = string;

export function plainText(raw: string): string {
  const text = unlink(raw.replace(/``/g, '“').replace(/''/g, '”')) // [text](link)
    .replace(/(\*\*|__)(?=\S)([^*_]*?\S)\1/g, '$2')
    .replace(/(?<![*\w])([*_])(?=\S)([^*_\n]*?\S)\1(?![*\w])/g, '$2'); // *italic*, _italic_
  return trimEmphasisEnds(text) // the two ends of emphasis cut by a sentence break
    .replace(/`/g, '')
    .replace(
      /^(?:#+\s*|[-*+>]\s+|\d{1,3}[.)]\s+|\((?:[a-zA-Z]{1,4}|\d{1,3})\)\s*|[-–—:;,.]+\s*)+/,
      '',
    )
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
  return replaceSpans(text, pairedSpans(text, '"“', '"”'), (quoted) => quoted, thirdPersonPlain);
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
 * One sentence as summary prose, and how many of the author's loaded words it had to keep
 * (see `rewordLoaded`): a caller prefers sentences that keep none. `lowercase` holds words the
 * chunk writes in lower case, so a capitalised opening word can be told from a name ("Critics"
 * vs "Parliament").
 */
export function renderProse(
  original: string,
  lead: Lead,
  lowercase: ReadonlySet<string>,
): { text: string; kept: number } {
  let body = plainText(original)
    .replace(DATELINE, '')
    .replace(SALUTATION, '')
    .replace(/^(?:But|And|So|Yet|Or|However,|Moreover,|Furthermore,|Indeed,)\s+/, '');
  const reworded = rewordLoaded(body);
  body = trimEndWhile(reworded.text, /[\s,;:\-—–]/);
  if (FIRST_PERSON.test(body)) body = thirdPerson(body);
  if (!/[.!?"”'’]$/.test(body)) body += '.';
  body = body.replace(/!$/, '.');
  return { text: attribute(body, original, lead, lowercase), kept: reworded.kept };
}

export function renderSentence(original: string, lead: Lead, lowercase: ReadonlySet<string>) {
  return renderProse(original, lead, lowercase).text;
}

function attribute(body: string, original: string, lead: Lead, lowercase: ReadonlySet<string>) {
  // "“We will not sell,” said Colm Dwyer." / "Colm Dwyer said: “…”": the document's report.
  if (/^["“‘]/.test(body)) return `${lead} quotes: ${body}`;
  if (/["“]/.test(body) && SPEECH.test(body))
    return `${lead} reports that ${lowerFirst(body, lowercase)}`;
  if (/\?["”]?$/.test(body)) return `${lead} asks: ${body}`;
  if (isImperative(body, lowercase))
    return `${lead} calls on the reader to ${body[0]!.toLowerCase()}${body.slice(1)}`;
  return `${lead} ${verbFor(body, original)} that ${lowerFirst(body, lowercase)}`;
}

/** Every attribution a summary sentence opens with; merge.ts re-reads them. */
const ATTRIBUTION =
  /^(The document|It|This [^,.:;]+?) (argues that|reports that|states that|calls on the reader to|asks:|quotes:) /;

/**
 * The same summary sentence under another lead ("It …" first in a merged summary becomes
 * "This op-ed by … …", and the other way round); a sentence in another form stays.
 */
export function relead(sentence: string, lead: Lead): string {
  const match = ATTRIBUTION.exec(sentence);
  return match ? `${lead} ${match[2]} ${sentence.slice(match[0].length)}` : sentence;
}

/** The genre subject a summary opens with ("This op-ed by Hollis Marr"), if it names one. */
export function summarySubject(summary: string): string | null {
  const lead = ATTRIBUTION.exec(summary)?.[1];
  return lead?.startsWith('This ') ? lead : null;
}

/** "Madam Deputy Speaker, …", "Ladies and gentlemen, …": an address, not part of the claim. */
const SALUTATION =
  /^(?:(?:Madam|Mr\.?|Mister) (?:Deputy )?(?:Speaker|President|Chair(?:man|woman)?)|Ladies and gentlemen|Colleagues|Friends|Dear [A-Z][^,]{0,40}),\s*/;

/**
 * Whether a source sentence can stand in a summary at all: not a caption, a bibliography
 * entry, a credit line, a press release's furniture or a fragment of an unclosed quotation.
 */
export function isProseSentence(text: string): boolean {
  const plain = plainText(text);
  if (CAPTION.test(plain) || CREDIT.test(plain) || BIO.test(plain) || FURNITURE.test(plain))
    return false;
  if (STANDFIRST.test(plain) && plain.split(/\s+/).length <= 25) return false; // "A report by …"
  if (BIBLIOGRAPHY.some((pattern) => pattern.test(plain))) return false;
  // A sentence has words in lower case: a run of capitalised words is a title or a name.
  const outside = replaceSpans(plain, pairedSpans(plain, '(', ')'), () => ' ');
  if (!(outside.match(/\p{L}[\p{L}'’-]{3,}/gu) ?? []).some((w) => /^\p{Ll}/u.test(w))) return false;
  return quotationsBalanced(plain);
}

const CAPTION =
  /^(?:Figure|Fig\.|Table|Chart|Graph|Map|Box|Exhibit|Photo|Image|Source|Sources|Note|Notes)\s*(?:[\dIVX]+[A-Za-z]?\b|[:.—–-])/;
const CREDIT =
  /^(?:(?:Prepared|Written|Published|Edited|Compiled|Issued|Produced|Photographs?|Illustrations?) by\b|(?:Lead )?Authors?:|Contact:|Acknowledg)/i;
/** An author's note: "Teodor Renk writes on maritime affairs." */
const BIO = /^(?:\p{Lu}[\p{L}'’.-]*\s+){1,3}(?:writes|has written|reports) (?:on|about|for)\b/u;
const FURNITURE =
  /^(?:Ends\.?$|For immediate release|Notes to editors|About (?:the |us\b)[^:]{0,60}:|Embargoed|Follow us|Copyright|©)/i;
const BIBLIOGRAPHY = [
  /\bet al\.|\bdoi:|\bISBN\b|\bRetrieved (?:from|on)\b|https?:\/\//i,
  /^\p{Lu}[\p{L}'’-]+, (?:\p{Lu}\.\s?)+(?:,|and|&|\()/u, // "Smith, J. A., and …"
  /\(\d{4}[a-z]?\)\.\s+\p{Lu}/u, // "(2019). Title"
  /\bpp?\.\s*\d+/,
];

/**
 * "Publish the business case.", "Join me at the meeting.": a verb the text also writes in lower
 * case, then an object (an article, a pronoun). "Rents are rising" and names are not.
 */
function isImperative(body: string, lowercase: ReadonlySet<string>): boolean {
  const match = /^(\p{Lu}\p{Ll}+) (\p{Ll}+)\b/u.exec(body);
  if (!match) return false;
  const verb = match[1]!.toLowerCase();
  if (
    FUNCTION_WORDS.has(verb) ||
    NOT_VERBS.has(verb) ||
    !lowercase.has(verb) ||
    /(?:s|ed|ly|ing)$/.test(verb)
  )
    return false;
  return OBJECT_WORDS.has(match[2]!);
}

/** Prepositions and adverbs that open sentences: "Without the fleet…", "Now the government…". */
const NOT_VERBS = new Set(
  'without within despite beyond through across against among amid toward towards upon into onto until unless whether now then so yet still also thus here today tomorrow yesterday instead indeed perhaps meanwhile however therefore moreover again already always never often once only even just soon later first last next like unlike per via'.split(
    ' ',
  ),
);

const OBJECT_WORDS = new Set(
  'the a an this these that those our your their its my me us them him her it all every more up out down back'.split(
    ' ',
  ),
);

function lowerFirst(body: string, lowercase: ReadonlySet<string>): string {
  const first = /^[\p{L}][\p{L}'’-]*/u.exec(body)?.[0];
  if (!first || /\p{Lu}.*\p{Lu}/u.test(first)) return body; // acronyms keep their case
  const nextCapital = /^[\p{L}'’-]+ \p{Lu}/u.test(body); // "Madam Deputy Speaker" stays a name
  const lower = first.toLowerCase().replace(/['’](?:ll|s|d|re|ve)$/, ''); // "He’ll", "It’s"
  if (FUNCTION_WORDS.has(lower) || (lowercase.has(lower) && !nextCapital)) {
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
  return `${trimEndWhile(text.slice(0, end), /[\s,;:]/)}…`;
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
