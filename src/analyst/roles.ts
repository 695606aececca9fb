import { FUNCTION_WORDS, INSTITUTION_HEADS, NOT_ACTORS, PERSON_TITLES } from './lexicon.js';
import type { Word } from './words.js';

/**
 * The role a name's own words give it — a title ("Transport Minister Dara Quill", "Rep. Joe
 * Sestak"), an office ("Secretary of Veterans Affairs"), an affiliation ("Republican Pat
 * Toomey"), a home state ("Governor Mike Pence of Indiana") — and the role an appositive
 * gives it ("Amara Osei, chief economist at the Institute,").
 */
export const JOINERS = new Set(['of', 'for', 'on', 'the']);
export const ROMAN = /^[ivxlcdm]+$/;
/** Words that name a thing, not an actor, when they open a run ("Section 2", "Title XIX"). */
const DOCUMENT_WORDS = new Set(
  'section sec act bill article chapter part title table figure annex appendix code amendment paragraph subsection clause schedule page'.split(
    ' ',
  ),
);
/** "Attorney General", "Secretary of State", "Chief of Staff": the office is the actor. */
const OFFICE =
  /^(?:\p{Lu}\p{L}+ General|(?:Secretary|Minister|Director|Administrator|Commissioner|Chief|Head|Speaker|Governor|President|Chair) (?:of|for) .+)$/u;
/** "Republican Pat Toomey": an affiliation before a person's name is their role. */
export const AFFILIATIONS = new Set([
  'republican',
  'democrat',
  'democratic',
  'conservative',
  'liberal',
  'labour',
  'tory',
  'independent',
]);
/** First words that make an appositive a clause, not a role ("Connecticut, was in the audience"). */
const NOT_ROLE_START =
  /^(?:is|was|are|were|be|been|has|had|have|will|would|can|could|may|might|must|should|do|does|did|not|also|then|who|which|that|where|when|whose|while|and|but|or|as|if|so|in|on|at|by|to|with|from|into|after|before|he|she|it|they|we|i|you|his|her|its|their|our|my|your|this|these|those|there|here|said|says|according)\b/;
/** Agent nouns, singular: the head of a role names what one person or body is. */
const AGENT_NOUN = /(?:er|or|ist|ian|man|woman|person|ent|ant|ee|ive|crat|ess)$/;
const ABBREVIATIONS = /^(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|St|Prof|Lt|Gen|Col)$/;
const DETERMINERS = new Set('a an the his her its their this that these those some any'.split(' '));
const MODALS = new Set('shall will may must should would can could'.split(' '));
const ROLE_PREPOSITIONS = new Set(['of', 'at', 'for', 'in', 'on', 'to', 'with', 'from', 'and']);
const ROLE_NOUNS = new Set(
  'head chief expert candidate advocate delegate official staff aide envoy mp chair fellow secretary'.split(
    ' ',
  ),
);

export interface Titled {
  /** Word indexes [start, to) of the name proper. */
  start: number;
  to: number;
  role: string | null;
  /** The whole run names an office ("Attorney General"). */
  office: boolean;
}

/**
 * Reads the titles in the run [base, to) (`from` is where it began, before a sentence-opening
 * word was cut; `written` holds the words the text writes in lower case). Null when nothing but
 * titles and labels is left.
 */
export function readTitles(
  text: string,
  list: readonly Word[],
  from: number,
  base: number,
  to: number,
  written: ReadonlySet<string>,
): Titled | null {
  let start = base;
  let role: string | null = null;
  const whole = text.slice(list[base]!.start, list[to - 1]!.end).replace(/\s+/g, ' ');
  // The office is the name: "Secretary of Veterans Affairs", "Attorney General".
  const office = OFFICE.test(whole) && !FUNCTION_WORDS.has(list[base]!.lower);
  if (office) {
    role = 'office holder';
  } else {
    // "Section 2", "Title XIX", "Bill Clinton": a document word opens a run only as a label.
    while (
      start < to &&
      ((NOT_ACTORS.has(list[start]!.lower) && !DOCUMENT_WORDS.has(list[start]!.lower)) ||
        (DOCUMENT_WORDS.has(list[start]!.lower) && isLabel(text, list[start + 1])) ||
        ROMAN.test(list[start]!.lower) ||
        PERSON_TITLES.has(list[start]!.lower))
    ) {
      role = PERSON_TITLES.get(list[start]!.lower) ?? role;
      start++;
    }
    const previous = list[from - 1];
    if (previous && PERSON_TITLES.has(previous.lower)) role ??= PERSON_TITLES.get(previous.lower)!;
    if (start >= to) return null;
    // "Transport Minister Dara Quill", "White House Chief of Staff Rahm Emanuel": the title and
    // what precedes it are the role of the name after it.
    let joiner = start;
    while (joiner < to && !JOINERS.has(list[joiner]!.lower)) joiner++;
    for (let t = to - 2; t > start; t--) {
      if (!PERSON_TITLES.has(list[t]!.lower)) continue;
      // "Office of the Chief Actuary": a title after "of" is part of an institution's name.
      if (joiner < t) break;
      let u = t + 1;
      while (u + 1 < to && JOINERS.has(list[u]!.lower)) u += 2;
      if (u >= to || list[u]!.lower === 'and') continue;
      role = text
        .slice(list[start]!.start, list[u - 1]!.end)
        .replace(/\s+/g, ' ')
        .toLowerCase();
      start = u;
      break;
    }
  }
  // "Republican Pat Toomey": the affiliation is the role of a person's name — not of "White
  // House" (a "Republican White House bid"), whose words the text also writes in lower case.
  const personal = list.slice(start + 1, to).every((w) => !written.has(w.lower));
  if (
    AFFILIATIONS.has(list[start]!.lower) &&
    to - start >= 3 &&
    personal &&
    !hasHead(list, start, to)
  ) {
    role ??= list[start]!.lower;
    start++;
  }
  // "Governor Mike Pence of Indiana": the place is part of the role, not of the name.
  if (
    role !== null &&
    !office &&
    to - start >= 4 &&
    list[to - 2]!.lower === 'of' &&
    !hasHead(list, start, to)
  ) {
    role = `${role} from ${text.slice(list[to - 1]!.start, list[to - 1]!.end)}`;
    to -= 2;
  }
  return { start, to, role, office };
}

/** "Section 2", "Title XIX", "Part D": the word after a document word labels it. */
function isLabel(text: string, word: Word | undefined): boolean {
  if (!word) return true;
  const surface = text.slice(word.start, word.end);
  return /^(?:\p{N}|[IVXLCDM]+$|\p{Lu}$)/u.test(surface);
}

export function hasHead(list: readonly Word[], from: number, to: number): boolean {
  return list.slice(from, to).some((w) => INSTITUTION_HEADS.has(w.lower));
}

/**
 * "Amara Osei, chief economist at the Institute, said" → "chief economist at the Institute".
 * Only a phrase that reads as a role: not a clause ("was in the audience"), no quotation, no
 * figure, no first or second person; one word only when it is an agent noun ("spokesman").
 */
export function appositiveRole(text: string, end: number): string | null {
  const match = /^, (?:(?:the|a|an) (?=\p{L})|(?=\p{Ll}))([^,.;:\n"“”()]{3,80}?)(?:,|\.|$)/u.exec(
    text.slice(end, end + 100),
  );
  if (!match) return null;
  const role = match[1]!.replace(/ (?:who|which|that|whose)\b.*$/, '').trim();
  if (
    NOT_ROLE_START.test(role) ||
    /^\p{Ll}+(?:ed|ing) (?:by|in|at|on|to|from|with|as|for)\b/u.test(role) ||
    /\p{N}|\b(?:we|us|our|i|you|he|she|they|these|those|is|are|was|were)\b/u.test(role)
  )
    return null;
  const words = role.split(' ');
  // "top adviser to Mr." was cut at an abbreviation's full stop.
  if (words.length > 10 || ABBREVIATIONS.test(words[words.length - 1]!)) return null;
  // A role names what someone is: its head noun (the last word before "of", "at", "for"…) is
  // an agent noun ("chief economist at the Institute", "the Labour member").
  const cut = words.findIndex((w) => ROLE_PREPOSITIONS.has(w));
  const noun = words.slice(0, cut === -1 ? words.length : cut).map((w) => w.toLowerCase());
  // A determiner inside it makes a verb phrase ("sent a letter to Pence"), a modal a clause.
  if (noun.some((w) => DETERMINERS.has(w)) || words.some((w) => MODALS.has(w))) return null;
  const head = noun[noun.length - 1] ?? '';
  if (!(AGENT_NOUN.test(head) || ROLE_NOUNS.has(head) || PERSON_TITLES.has(head))) return null;
  return role;
}
