// Longer than ~300 lines on purpose for now: finding actors, folding their aliases and deciding
// whether each is heard are one pass over the same mentions; issue 13's stakeholder rework is
// where it splits (actor detection / voice), so it is not cut in two before that.
import { CUES, GROUPS, INSTITUTION_HEADS, NOT_ACTORS, PERSON_TITLES, matchers } from './lexicon.js';
import type { Analysis } from './nlp.js';
import { PhraseMatcher, type Word } from './words.js';

/**
 * Actors a chunk names, and whether it gives their own voice.
 *
 * Named actors are runs of capitalised words (joined by of/for/on/the, or "and" inside an
 * institution's name); groups come from a list of collective nouns ("residents", "the
 * government"). Short references are folded into the full name when they fit exactly one
 * actor ("Osei" → "Amara Osei", "the Ministry" → "Ministry of Transport").
 * An actor is represented when a mention is the subject or object of a speech verb ("X said",
 * "said X", "according to X", "X's statement"), not negated ("X did not respond").
 */
export interface Mention {
  key: string;
  sentence: number;
  /** Word indexes [from, to) in the sentence's words. */
  from: number;
  to: number;
  represented: boolean;
}

export interface Actor {
  key: string;
  name: string;
  role: string;
  named: boolean;
  mentions: number;
  represented: boolean;
  /** Sentence indexes with a mention, in order. */
  sentences: number[];
  /** Named only after "in", "at", "across"…: a place, not a party to the debate. */
  place: boolean;
}

export interface Cast {
  actors: Actor[];
  byKey: Map<string, Actor>;
  /** Mentions per sentence index. */
  mentions: Map<number, Mention[]>;
}

const groupMatcher = new PhraseMatcher<string>(GROUPS.entries());
const JOINERS = new Set(['of', 'for', 'on', 'the']);
const NEGATORS = new Set([
  'not',
  'never',
  'no',
  'declined',
  'refused',
  'failed',
  'yet',
  'nobody',
  'none',
]);
const NO_ONE = new Set(['nobody', 'none', 'no', 'neither', 'nor']);
const SPEECH_NOUNS = new Set(CUES.speechNouns);
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
  'to',
  'visited',
]);
const APPOSITIVE_SPEECH =
  /^,[^.;"“]{0,140}?, (?:said|says|told|argued|added|wrote|warned|stated|explained|insisted)\b/;

interface Raw {
  key: string;
  name: string;
  role: string | null;
  named: boolean;
  sentence: number;
  from: number;
  to: number;
  possessive: boolean;
  locative: boolean;
}

/**
 * `lowercase`: words a capital does not make a name (see render.ts `lowercaseWords`);
 * `written`: words the chunk actually writes in lower case.
 */
export function findActors(
  analysis: Analysis,
  words: readonly Word[][],
  lowercase: ReadonlySet<string>,
): Cast {
  const written = new Set<string>();
  for (const list of words)
    for (const word of list)
      if (/^\p{Ll}/u.test(analysis.text[word.start]!)) written.add(word.lower);
  const raws: Raw[] = [];
  analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = words[index]!;
    const named = namedSpans(analysis.text, list, lowercase, written, index);
    raws.push(...named);
    const taken = new Set(named.flatMap((raw) => range(raw.from, raw.to)));
    for (const match of groupMatcher.find(list)) {
      if (range(match.from, match.to).some((k) => taken.has(k))) continue;
      const key = match.phrase.replace(/^the /, '');
      raws.push({
        key,
        name: match.phrase,
        role: match.data,
        named: false,
        sentence: index,
        from: match.from,
        to: match.to,
        possessive: false,
        locative: false,
      });
    }
  });
  resolveAliases(raws);
  return collect(analysis.text, raws, words);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

function isCapitalised(text: string, word: Word): boolean {
  return /^\p{Lu}/u.test(text[word.start]!);
}

function namedSpans(
  text: string,
  list: readonly Word[],
  lowercase: ReadonlySet<string>,
  written: ReadonlySet<string>,
  sentence: number,
): Raw[] {
  const out: Raw[] = [];
  for (let i = 0; i < list.length; i++) {
    if (!isCapitalised(text, list[i]!)) continue;
    let j = i;
    let institution = INSTITUTION_HEADS.has(list[i]!.lower);
    for (;;) {
      const next = list[j + 1];
      if (!next || !/^ $/.test(text.slice(list[j]!.end, next.start))) break;
      if (isCapitalised(text, next) && !/'s$|’s$/.test(list[j]!.lower)) {
        j++;
        institution ||= INSTITUTION_HEADS.has(next.lower);
        continue;
      }
      const after = list[j + 2];
      const joiner = JOINERS.has(next.lower) || (next.lower === 'and' && institution);
      if (
        joiner &&
        after &&
        isCapitalised(text, after) &&
        /^ $/.test(text.slice(next.end, after.start))
      ) {
        j += 2;
        institution ||= INSTITUTION_HEADS.has(after.lower);
        continue;
      }
      break;
    }
    const raw = toRaw(text, list, i, j + 1, lowercase, written, sentence);
    if (raw) out.push(raw);
    i = j;
  }
  return out;
}

function toRaw(
  text: string,
  list: readonly Word[],
  from: number,
  to: number,
  lowercase: ReadonlySet<string>,
  written: ReadonlySet<string>,
  sentence: number,
): Raw | null {
  let start = from;
  let role: string | null = null;
  // A sentence-opening common word is not part of a name ("Stop the Line" → no actor).
  const commonOpening =
    lowercase.has(list[0]!.lower) &&
    (written.has(list[0]!.lower) || JOINERS.has(list[1]?.lower ?? ''));
  if (from === 0 && commonOpening) {
    start = 1;
    while (start < to && JOINERS.has(list[start]!.lower)) start++;
  }
  while (
    start < to &&
    (NOT_ACTORS.has(list[start]!.lower) || PERSON_TITLES.has(list[start]!.lower))
  ) {
    role = PERSON_TITLES.get(list[start]!.lower) ?? role;
    start++;
  }
  // "Transport Minister Dara Quill": the title and what precedes it are the role.
  for (let t = to - 2; t > start; t--) {
    const next = list[t + 1]!.lower;
    if (PERSON_TITLES.has(list[t]!.lower) && !JOINERS.has(next) && next !== 'and') {
      role = text.slice(list[start]!.start, list[t]!.end).toLowerCase();
      start = t + 1;
      break;
    }
  }
  const previous = list[from - 1];
  if (previous && PERSON_TITLES.has(previous.lower)) role ??= PERSON_TITLES.get(previous.lower)!;
  if (start >= to) return null;
  // "the Housing Minister, Priya Anand," — the title is the role of the name after it.
  if (
    PERSON_TITLES.has(list[to - 1]!.lower) &&
    /^, \p{Lu}/u.test(text.slice(list[to - 1]!.end, list[to - 1]!.end + 3))
  )
    return null;
  const titled =
    /((?:\p{Lu}[\p{L}]* )*(?:Minister|Secretary|Mayor|Senator|Governor|President|Chair|Director)), $/u.exec(
      text.slice(Math.max(0, list[from]!.start - 60), list[from]!.start),
    );
  if (titled) role ??= titled[1]!.toLowerCase();
  const last = list[to - 1]!;
  const possessive = /['’]s$/.test(last.lower);
  const name = text.slice(list[start]!.start, last.end).replace(/['’]s$/, '');
  const wordsIn = list.slice(start, to).map((w) => w.lower.replace(/['’]s$/, ''));
  if (NOT_ACTORS.has(wordsIn[wordsIn.length - 1]!) || wordsIn.length > 7) return null;
  const letters = name.replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '').length;
  if (upper === letters.length && (wordsIn.length > 1 || letters.length < 2 || letters.length > 6))
    return null;
  // A lone capitalised word that the text also writes in lower case is an ordinary word.
  if (wordsIn.length === 1 && upper !== letters.length && lowercase.has(wordsIn[0]!)) return null;
  const head = wordsIn.find((w) => INSTITUTION_HEADS.has(w));
  role ??= head
    ? INSTITUTION_HEADS.get(head)!
    : upper === letters.length
      ? 'organisation'
      : appositive(text, last.end);
  const locative =
    LOCATIVE.has(list[start - 1]?.lower ?? '') || LOCATIVE.has(list[start - 2]?.lower ?? '');
  return {
    key: wordsIn.join(' '),
    name,
    role,
    named: true,
    sentence,
    from: start,
    to,
    possessive,
    locative,
  };
}

/** "Amara Osei, chief economist at the Institute, said" → "chief economist at the Institute". */
function appositive(text: string, end: number): string | null {
  const match = /^, (?:the |a |an )?([a-z][^,.;\n]{2,60}?)(?:,|\.)/.exec(text.slice(end, end + 80));
  if (match && /^(which|who|that|where|when|whose|and|but|as|in|on|at)\b/.test(match[1]!))
    return null;
  return match ? match[1]! : null;
}

/** Folds surnames and bare institution heads into the one full name they can stand for. */
function resolveAliases(raws: Raw[]): void {
  const alias = new Map<string, string | null>();
  for (const key of new Set(raws.filter((r) => r.named && r.key.includes(' ')).map((r) => r.key))) {
    const parts = key.split(' ');
    const head = parts.find((p) => INSTITUTION_HEADS.has(p));
    const short = head ?? (parts.length <= 3 ? parts[parts.length - 1]! : undefined);
    if (short === undefined) continue;
    alias.set(short, alias.has(short) && alias.get(short) !== key ? null : key);
  }
  for (const raw of raws) {
    const target = raw.key.includes(' ') ? undefined : alias.get(raw.key);
    if (target) {
      raw.key = target;
      raw.named = true;
    }
  }
}

/** "Tamsin Reyes, the member who led the campaign, said …". */
function appositiveSpeech(text: string, list: readonly Word[], raw: Raw): boolean {
  const end = list[raw.to - 1]!.end;
  return APPOSITIVE_SPEECH.test(text.slice(end, end + 200));
}

function collect(text: string, raws: Raw[], words: readonly Word[][]): Cast {
  const byKey = new Map<string, Actor>();
  const mentions = new Map<number, Mention[]>();
  const locatives = new Map<string, number>();
  const bySentence = new Map<number, Raw[]>();
  for (const raw of raws)
    bySentence.set(raw.sentence, [...(bySentence.get(raw.sentence) ?? []), raw]);
  for (const raw of raws) {
    const others = bySentence.get(raw.sentence)!.filter((other) => other !== raw);
    const represented =
      speaks(text, words[raw.sentence]!, raw, others) ||
      appositiveSpeech(text, words[raw.sentence]!, raw);
    let actor = byKey.get(raw.key);
    if (!actor) {
      actor = {
        key: raw.key,
        name: raw.name,
        role: raw.role ?? 'named in the document',
        named: raw.named,
        mentions: 0,
        represented: false,
        sentences: [],
        place: false,
      };
      locatives.set(raw.key, 0);
      byKey.set(raw.key, actor);
    }
    if (raw.named && raw.name.length > actor.name.length && raw.key === raw.name.toLowerCase())
      actor.name = raw.name;
    if (raw.role && actor.role === 'named in the document') actor.role = raw.role;
    actor.mentions++;
    if (raw.locative) locatives.set(raw.key, locatives.get(raw.key)! + 1);
    actor.represented ||= represented;
    if (actor.sentences[actor.sentences.length - 1] !== raw.sentence)
      actor.sentences.push(raw.sentence);
    const list = mentions.get(raw.sentence) ?? [];
    list.push({ key: raw.key, sentence: raw.sentence, from: raw.from, to: raw.to, represented });
    mentions.set(raw.sentence, list);
  }
  for (const actor of byKey.values()) {
    if (
      actor.named &&
      actor.role === 'named in the document' &&
      !actor.represented &&
      locatives.get(actor.key)! * 2 >= actor.mentions
    ) {
      actor.place = true;
      actor.role = 'place';
    }
  }
  const actors = [...byKey.values()].sort(
    (a, b) => b.mentions - a.mentions || a.sentences[0]! - b.sentences[0]!,
  );
  return { actors, byKey, mentions };
}

/** Is this mention the source of reported speech in its sentence? */
function speaks(text: string, list: readonly Word[], raw: Raw, others: readonly Raw[]): boolean {
  if (raw.possessive && list.slice(raw.to, raw.to + 2).some((w) => SPEECH_NOUNS.has(w.lower)))
    return true;
  for (const match of matchers.speech.find(list)) {
    // "X did not say", "X has yet to respond", "Nobody in X will say": no voice of X.
    const lead = list.slice(Math.max(0, match.from - 3), match.from).map((w) => w.lower);
    const subject = list.slice(Math.max(0, raw.from - 3), raw.from).map((w) => w.lower);
    const negated =
      lead.some((w) => NEGATORS.has(w) || w.endsWith("n't")) || subject.some((w) => NO_ONE.has(w));
    if (negated) continue;
    // "X said", "X has said", "X, the minister, said" — unless another actor stands between.
    const between = others.some((other) => other.from >= raw.to && other.from < match.from);
    if (match.from >= raw.to && match.from - raw.to <= 8 && !between) return true;
    const gap =
      match.to <= raw.from ? text.slice(list[match.to - 1]!.end, list[raw.from]!.start) : '';
    if (match.to <= raw.from && raw.from - match.to <= 1 && !/[,.;:]/.test(gap)) return true; // "said X", "says the X"
  }
  for (const match of matchers.hedge.find(list)) {
    if (match.phrase === 'according to' && match.to <= raw.from && raw.from - match.to <= 1)
      return true;
  }
  const before = list.slice(Math.max(0, raw.from - 3), raw.from).map((w) => w.lower);
  return SPEECH_NOUNS.has(before[0] ?? '') && (before.includes('for') || before.includes('of'));
}
