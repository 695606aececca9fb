import { plainText } from './render.js';
import { dropTail } from './scan.js';

/**
 * What kind of text a document says it is, and who issues it, read from what the text itself
 * declares near its top: a standfirst ("Press release from the National Landlords Federation",
 * "A white paper from …", "Issued by …"), a byline ("By Hollis Marr"), a speech's title or
 * salutation ("Speech by …", "Madam Deputy Speaker, …"), a bill's enacting words. Nothing is
 * guessed beyond that: a text that declares nothing is "the document".
 *
 * The summary opens with it ("This press release from the National Landlords Federation
 * argues…"), and the notes use the issuer: an accusation the issuer makes ("The Federation
 * accused the Minister…") is the document's own.
 */
export interface Genre {
  /** "press release", "op-ed", "speech", "bill", "report", … or "document". */
  kind: string;
  /** The issuing party, when the text names one. */
  issuer: string | null;
  /** Whether the kind argues a case (op-ed, speech, press release) or describes (report, bill). */
  argues: boolean;
}

/** Standfirst nouns, longest first, with whether that kind of text argues a case. */
const KINDS: Array<[RegExp, string, boolean]> = [
  [/\bpress (?:release|statement)\b/i, 'press release', true],
  [/\bnews release\b/i, 'press release', true],
  [/\bwhite paper\b/i, 'white paper', true],
  [/\b(?:policy|discussion|working|position) paper\b/i, 'policy paper', false],
  [/\bbriefing(?: note| paper)?\b/i, 'briefing', false],
  [/\bop-?ed\b|^(?:opinion|comment)\b/i, 'op-ed', true],
  [/\b(?:speech|remarks|address) (?:by|of|to|at|from)\b|^(?:speech|remarks)\b/i, 'speech', true],
  [/\bstatement (?:by|from|of|on|regarding)\b|^(?:a |joint )?statement\b/i, 'statement', true],
  [/\breport (?:by|from|of|on|to)\b|^(?:an? )?(?:[\w-]+ )?report\b/i, 'report', false],
  [/\b(?:open )?letter (?:by|from|to)\b/i, 'letter', true],
  [/\bmanifesto\b/i, 'manifesto', true],
  [/\btestimony\b/i, 'testimony', true],
  [/\bfact ?sheet\b/i, 'fact sheet', false],
];

const ISSUER =
  /\b(?:from|by|of|issued by|published by|prepared by)\s+((?:the\s+)?\p{Lu}[\p{L}'’.-]*(?:\s+(?:of|for|and|on|the|\p{Lu}[\p{L}'’.-]*))*)/u;
const BYLINE = /^by\s+(\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){0,3})/iu;
const SALUTATION =
  /^(?:madam|mr\.?|mister)\s+(?:deputy\s+)?(?:speaker|president|chair(?:man|woman)?)\b/i;
/** "WASHINGTON — ", "LONDON (Reuters) - ": a news agency's dateline. */
export const DATELINE = /^\p{Lu}[\p{Lu} .,'-]{2,40}(?:\([^)]{1,30}\))?\s*(?:—|–|--|-)\s+/u;
const ENACTING = /\bbe it enacted\b|^(?:section 1\.|sec\. 1\.)\s*short title\b/im;

export function readGenre(text: string, title: string | null): Genre {
  const lines = firstLines(text, 4);
  const head = [title ?? '', ...lines];
  for (const line of head) {
    if (line.split(/\s+/).length > 25) continue; // a sentence of the body, not a standfirst
    for (const [pattern, kind, argues] of KINDS) {
      if (!pattern.test(line)) continue;
      const issuer = ISSUER.exec(line.slice(line.search(pattern)))?.[1] ?? standfirstIssuer(lines);
      return { kind, issuer: issuer ? trimIssuer(issuer) : null, argues };
    }
  }
  const byline = lines.map((line) => BYLINE.exec(line)?.[1]).find(Boolean);
  if (byline) return { kind: 'op-ed', issuer: trimIssuer(byline), argues: true };
  if (lines.some((line) => SALUTATION.test(line)))
    return { kind: 'speech', issuer: null, argues: true };
  if (DATELINE.test(lines[0] ?? '')) return { kind: 'news article', issuer: null, argues: false };
  if (ENACTING.test(text.slice(0, 4000)) || /^(?:to amend|a bill)\b/i.test(title ?? ''))
    return { kind: 'bill', issuer: null, argues: false };
  return { kind: 'document', issuer: null, argues: false };
}

/** The first `count` lines of the text that have any plain text, as plain text. */
function firstLines(text: string, count: number): string[] {
  const out: string[] = [];
  for (let start = 0; out.length < count && start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = plainText(text.slice(start, end));
    if (line) out.push(line);
    start = end + 1;
  }
  return out;
}

/**
 * "Issued by the Ministry of Transport press office", "A report by the Head of Library
 * Services, Harwick District Council": a standfirst line that names the issuer.
 */
function standfirstIssuer(lines: readonly string[]): string | null {
  for (const line of lines) {
    if (line.split(/\s+/).length > 25) continue;
    const match = /^(?:issued|published|prepared) by\s+(.+)$/i.exec(line) ?? STANDFIRST.exec(line);
    if (match) return match[1]!;
  }
  return null;
}

/** "A report by …", "A briefing note from …": the line that says what the text is. */
export const STANDFIRST =
  /^(?:an? |the )?(?:[\w-]+ ){0,2}(?:report|briefing(?: note| paper)?|press release|news release|paper|statement|speech|letter|submission|memorandum|note)\b[^.]{0,40}?\b(?:by|from)\s+(.+)$/i;

/** Drops a trailing office ("press office"), a clause after a comma and a leading "the". */
function trimIssuer(name: string): string {
  const head = name.split(/[,;:]/)[0]!;
  return dropTail(dropTail(head, OFFICE_TAIL, 21), DANGLING, 3)
    .replace(/^the\s+/i, '')
    .trim();
}

const OFFICE_TAIL = /\s(?:press office|communications team|for immediate release)$/i;
const DANGLING = /\s(?:in|on|at|the)$/i;

/**
 * "Op-ed by Hollis Marr", "Press release from the National Landlords Federation": who makes the
 * case, for a headline that attributes an argued title. Null for a text that does not argue.
 */
export function genreLabel(genre: Genre): string | null {
  if (!genre.argues) return null;
  const subject = genreSubject(genre).replace(/^This /, '');
  return subject[0]!.toUpperCase() + subject.slice(1);
}

/** "This press release from the National Landlords Federation", "This op-ed by Hollis Marr". */
export function genreSubject(genre: Genre): string {
  if (genre.kind === 'document') return 'The document';
  const article = genre.kind === 'op-ed' ? 'This op-ed' : `This ${genre.kind}`;
  if (!genre.issuer) return article;
  const person = genre.kind === 'op-ed' || genre.kind === 'speech' || genre.kind === 'letter';
  const issuer =
    person || /^\p{Lu}\p{Lu}/u.test(genre.issuer) ? genre.issuer : `the ${genre.issuer}`;
  return `${article} ${person ? 'by' : 'from'} ${issuer}`;
}
