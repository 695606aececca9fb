import { FUNCTION_WORDS, INSTITUTION_HEADS, NOT_ACTORS, PERSON_TITLES } from './lexicon.js';
import { AFFILIATIONS, appositiveRole, JOINERS, readTitles, ROMAN } from './roles.js';
import type { Word } from './words.js';

/**
 * Names in a sentence and what the text says they are: runs of capitalised words (joined by
 * of/for/on/the, or "and" inside an institution's name), with the role the text gives them —
 * a title ("Transport Minister Dara Quill", "Rep. Joe Sestak"), an appositive ("Amara Osei,
 * chief economist at the Institute,") or an institution's head word ("Ministry", "Council").
 * Whether a name is an actor at all is decided over all its mentions (stakeholders.ts).
 */
export interface NameMention {
  key: string;
  name: string;
  role: string | null;
  /** The role comes from a title, an office or an appositive: the text says who this is. */
  described: boolean;
  /** The name has an institution's head word. */
  institution: boolean;
  /** A name (capitalised), not a collective noun from the groups list ("residents"). */
  named: boolean;
  sentence: number;
  /** Word indexes [from, to) in the sentence's words. */
  from: number;
  to: number;
  possessive: boolean;
  locative: boolean;
}

/** Lower-case particles inside a person's name: "Osama bin Laden", "Ursula von der Leyen". */
const PARTICLES = new Set([
  'bin',
  'ibn',
  'al',
  'de',
  'da',
  'di',
  'du',
  'van',
  'von',
  'der',
  'del',
  'la',
  'le',
]);
const LOCATIVE = new Set([
  'in',
  'at',
  'across',
  'near',
  'through',
  'from',
  'around',
  'beyond',
  'outside',
  'inside',
  'within',
  'along',
  'into',
  'throughout',
  'visited',
]);
function isCapitalised(text: string, word: Word): boolean {
  return /^\p{Lu}/u.test(text[word.start]!);
}

const DATES = new Set(
  'january february march april june july august september october november december monday tuesday wednesday thursday friday saturday sunday'.split(
    ' ',
  ),
);
function isDate(word: Word | undefined): boolean {
  return DATES.has(word?.lower ?? '');
}
/** Words of one name are separated by a space, or by a hard line break inside a paragraph. */
const SPACE = /^(?: |[ \t]*\n[ \t]*)$/;

/**
 * `lowercase`: words a capital does not make a name (see render.ts `lowercaseWords`);
 * `written`: words the chunk actually writes in lower case.
 */
export function namedSpans(
  text: string,
  list: readonly Word[],
  lowercase: ReadonlySet<string>,
  written: ReadonlySet<string>,
  sentence: number,
): NameMention[] {
  const out: NameMention[] = [];
  for (let i = 0; i < list.length; i++) {
    if (!isCapitalised(text, list[i]!)) continue;
    let j = i;
    // "Secretary of Health and Human Services": an office joins "and" like an institution.
    let institution =
      INSTITUTION_HEADS.has(list[i]!.lower) ||
      (PERSON_TITLES.has(list[i]!.lower) && /^(?:of|for)$/.test(list[i + 1]?.lower ?? ''));
    for (;;) {
      const next = list[j + 1];
      if (!next) break;
      const gap = text.slice(list[j]!.end, next.start);
      // "George W. Bush": an initial's full stop stays inside the name.
      const initial = /^\p{Lu}$/u.test(text.slice(list[j]!.start, list[j]!.end)) && gap === '. ';
      // "Centers for Medicare & Medicaid Services".
      const ampersand = institution && gap === ' & ';
      if (!SPACE.test(gap) && !initial && !ampersand) break;
      // "President Trump on Saturday", "Mr Osei Monday": a date ends the name.
      if (isDate(next) || (JOINERS.has(next.lower) && isDate(list[j + 2]))) break;
      // "Ostmark's coastguard" is two actors' words; "the Fishermen's Union" one name.
      const possessive = /['’]s$/.test(list[j]!.lower);
      if (isCapitalised(text, next) && (!possessive || INSTITUTION_HEADS.has(next.lower))) {
        j++;
        institution ||= INSTITUTION_HEADS.has(next.lower);
        continue;
      }
      // "International Committee of the Red Cross": "of the" joins as one inside an institution.
      const skip = institution && JOINERS.has(next.lower) && list[j + 2]?.lower === 'the' ? 1 : 0;
      const after = list[j + 2 + skip];
      const joiner =
        PARTICLES.has(next.lower) ||
        JOINERS.has(next.lower) ||
        (next.lower === 'and' &&
          (institution || headAhead(text, list, j + 2)) &&
          !titleAhead(text, list, j + 2));
      if (
        joiner &&
        after &&
        isCapitalised(text, after) &&
        SPACE.test(text.slice(list[j + 1 + skip]!.end, after.start))
      ) {
        j += 2 + skip;
        institution ||= INSTITUTION_HEADS.has(after.lower);
        continue;
      }
      break;
    }
    const mention = toMention(text, list, i, j + 1, lowercase, written, sentence);
    if (mention) out.push(mention);
    i = j;
  }
  return out;
}

function toMention(
  text: string,
  list: readonly Word[],
  from: number,
  to: number,
  lowercase: ReadonlySet<string>,
  written: ReadonlySet<string>,
  sentence: number,
): NameMention | null {
  let start = from;
  // A sentence-opening common word is not part of a name ("Stop the Line", "Though Reid"),
  // and a function word opens no name ("(4) The Secretary of Veterans Affairs").
  const first = list[from]!.lower;
  const commonOpening =
    lowercase.has(first) && (written.has(first) || JOINERS.has(list[from + 1]?.lower ?? ''));
  if (FUNCTION_WORDS.has(first) || (from === 0 && commonOpening && !PERSON_TITLES.has(first))) {
    start++;
    while (start < to && JOINERS.has(list[start]!.lower)) start++;
  }
  const base = start;
  if (base >= to) return null;
  const titles = readTitles(text, list, from, base, to, written);
  if (!titles) return null;
  let { role } = titles;
  const { office } = titles;
  start = titles.start;
  to = titles.to;
  // "Democrat of North Carolina" without its affiliation is no name.
  if (JOINERS.has(list[start]!.lower)) return null;
  // "the Housing Minister, Priya Anand," — the title is the role of the name after it.
  if (
    !office &&
    PERSON_TITLES.has(list[to - 1]!.lower) &&
    /^, \p{Lu}/u.test(text.slice(list[to - 1]!.end, list[to - 1]!.end + 3))
  )
    return null;
  const titled =
    /((?:\p{Lu}[\p{L}]* )*(?:Minister|Secretary|Mayor|Senator|Governor|President|Chair|Director)), $/u.exec(
      text.slice(Math.max(0, list[from]!.start - 60), list[from]!.start),
    );
  if (titled && !role) role = titled[1]!.toLowerCase();
  let described = role !== null;
  const last = list[to - 1]!;
  const possessive = /['’]s$/.test(last.lower);
  const name = text
    .slice(list[start]!.start, last.end)
    .replace(/\s+/g, ' ')
    .replace(/['’]s$/, '');
  const wordsIn = list.slice(start, to).map((w) => w.lower.replace(/['’]s$/, ''));
  if (NOT_ACTORS.has(wordsIn[wordsIn.length - 1]!) || wordsIn.length > 7) return null;
  // "a Republican", "an Arizona Republican": a description of someone, not a name.
  if (AFFILIATIONS.has(wordsIn[wordsIn.length - 1]!)) return null;
  if (wordsIn.every((w) => ROMAN.test(w) || /^\p{N}/u.test(w))) return null;
  const letters = name.replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  if (upper === letters.length && (wordsIn.length > 1 || letters.length < 2 || letters.length > 6))
    return null;
  // A lone capitalised word that the text also writes in lower case is an ordinary word.
  if (wordsIn.length === 1 && upper !== letters.length && lowercase.has(wordsIn[0]!)) return null;
  const head = headWord(wordsIn);
  if (!role && !head) {
    const appositive = appositiveRole(text, last.end);
    if (appositive) {
      role = appositive;
      described = true;
    }
  }
  role ??= head ? INSTITUTION_HEADS.get(head)! : null;
  const locative =
    LOCATIVE.has(list[start - 1]?.lower ?? '') || LOCATIVE.has(list[start - 2]?.lower ?? '');
  return {
    key: wordsIn.join(' '),
    name,
    role,
    described,
    institution: head !== undefined,
    named: true,
    sentence,
    from: start,
    to,
    possessive,
    locative,
  };
}

/** "Health Resources and Services Administration": the capitalised run from `from` has a head word. */
function headAhead(text: string, list: readonly Word[], from: number): boolean {
  for (let k = from; k < list.length && isCapitalised(text, list[k]!); k++) {
    if (INSTITUTION_HEADS.has(list[k]!.lower)) return true;
    if (!SPACE.test(text.slice(list[k]!.end, list[k + 1]?.start ?? list[k]!.end))) return false;
  }
  return false;
}

/** "… and House Speaker Brian Bosma": a titled person's name starts after "and". */
function titleAhead(text: string, list: readonly Word[], from: number): boolean {
  for (let k = from; k < list.length && isCapitalised(text, list[k]!); k++)
    if (PERSON_TITLES.has(list[k]!.lower)) return true;
  return false;
}

/**
 * The head word of an institution's name. English puts it last, before any "of"/"for"/"on":
 * "Department of Health", "Institute for Fiscal Studies", "Post Office", "Washington Post" —
 * but "Trust Fund" and "Party Conference" name things, not institutions.
 */
function headWord(wordsIn: readonly string[]): string | undefined {
  const cut = wordsIn.findIndex((w) => w === 'of' || w === 'for' || w === 'on');
  const last = wordsIn[(cut === -1 ? wordsIn.length : cut) - 1];
  return last !== undefined && INSTITUTION_HEADS.has(last) ? last : undefined;
}

/**
 * Folds short references into the one full name they can stand for: surnames ("Osei" → "Amara
 * Osei"), bare institution heads ("the Ministry" → "Ministry of Transport") and initials
 * ("ONS" → "Office for National Statistics").
 */
export function resolveAliases(mentions: NameMention[]): void {
  const alias = new Map<string, string | null>();
  const offer = (short: string, key: string) =>
    alias.set(short, alias.has(short) && alias.get(short) !== key ? null : key);
  for (const key of new Set(mentions.filter((m) => m.key.includes(' ')).map((m) => m.key))) {
    const parts = key.split(' ');
    const head = parts.find((p) => INSTITUTION_HEADS.has(p));
    const short = head ?? (parts.length <= 3 ? parts[parts.length - 1]! : undefined);
    if (short !== undefined) offer(short, key);
    const initials = parts
      .filter((p) => !JOINERS.has(p) && p !== 'and')
      .map((p) => p[0])
      .join('');
    if (initials.length >= 2) offer(initials, key);
  }
  const byKey = new Map(mentions.map((m) => [m.key, m]));
  for (const mention of mentions) {
    const target = mention.key.includes(' ') ? undefined : alias.get(mention.key);
    if (!target) continue;
    const full = byKey.get(target)!;
    mention.key = target;
    mention.named = true;
    mention.institution ||= full.institution;
  }
}
