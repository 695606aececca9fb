import {
  acts,
  appositiveSpeech,
  cuesOf,
  type Cues,
  insideQuotes,
  pronounSpeaks,
  rolesSpeaking,
  type Sentence,
  speaks,
} from './heard.js';
import { GROUPS, matchers } from './lexicon.js';
import { type NameMention, namedSpans, resolveAliases } from './names.js';
import { quotedRanges } from './quotation.js';
import type { Analysis } from './nlp.js';
import { PhraseMatcher, type Word } from './words.js';

/**
 * The actors a chunk names, and whether it gives their own voice.
 *
 * Names come from names.ts; groups from a list of collective nouns ("residents", "the
 * government"). A name is an actor only on evidence: an institution's head word, a role the
 * text gives it (a title, an office, an appositive), a plural group name ("Republicans"), or a
 * mention that speaks or acts ("X said", "X proposed", "X has failed to", "accused X").
 * Places, documents, programmes and adjectives have none and are not listed.
 * An actor is represented when a mention is the source of reported speech ("X said", "said
 * X", "according to X", "X's statement", "X, the chair, said"), not negated ("X did not
 * respond").
 */
export interface Mention {
  key: string;
  sentence: number;
  /** Word indexes [from, to) in the sentence's words. */
  from: number;
  to: number;
  represented: boolean;
}

/** Why a name is taken for an actor. */
export type Evidence = 'institution' | 'described' | 'group' | 'speaks' | 'acts';

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
  /** Null: a name with nothing to show it is an actor (a place, a programme, a heading). */
  evidence: Evidence | null;
}

export interface Cast {
  actors: Actor[];
  byKey: Map<string, Actor>;
  /** Mentions per sentence index. */
  mentions: Map<number, Mention[]>;
}

const UNKNOWN_ROLE = 'named in the document';

const groupMatcher = new PhraseMatcher<string>(GROUPS.entries());
/** Group words that also name an activity when an "of" follows. */
const ACTIVITY_NOUNS = new Set(['the administration']);
/** "Republicans", "Democrats", "Conservatives": a plural name is a group of people. */
const PLURAL_GROUP = /^\p{Lu}\p{Ll}{3,}(?:ans|ats|ists|ives|ers)$/u;

export function findActors(
  analysis: Analysis,
  words: readonly Word[][],
  lowercase: ReadonlySet<string>,
): Cast {
  const written = new Set<string>();
  for (const list of words)
    for (const word of list)
      if (/^\p{Ll}/u.test(analysis.text[word.start]!)) written.add(word.lower);
  const mentions: NameMention[] = [];
  analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = words[index]!;
    const named = namedSpans(analysis.text, list, lowercase, written, index);
    mentions.push(...named);
    const taken = new Set(named.flatMap((m) => range(m.from, m.to)));
    for (const match of groupMatcher.find(list)) {
      if (range(match.from, match.to).some((k) => taken.has(k))) continue;
      // "the administration of the oath": the act of administering, not a government.
      if (ACTIVITY_NOUNS.has(match.phrase) && list[match.to]?.lower === 'of') continue;
      mentions.push({
        key: match.phrase.replace(/^the /, ''),
        name: match.phrase,
        role: match.data,
        described: false,
        institution: false,
        named: false,
        sentence: index,
        from: match.from,
        to: match.to,
        possessive: false,
        locative: false,
      });
    }
  });
  resolveAliases(mentions);
  return collect(analysis.text, mentions, words);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

function collect(text: string, all: NameMention[], words: readonly Word[][]): Cast {
  const quoted = quotedRanges(text);
  const byKey = new Map<string, Actor>();
  const mentions = new Map<number, Mention[]>();
  const locatives = new Map<string, number>();
  const bySentence = new Map<number, NameMention[]>();
  for (const m of all) {
    const inSentence = bySentence.get(m.sentence);
    if (inSentence) inSentence.push(m);
    else bySentence.set(m.sentence, [m]);
  }
  const cues = new Map<number, Cues>();
  for (const m of all) {
    const list = words[m.sentence]!;
    // Every mention of the sentence: `speaks` looks only at those after `m`.
    const others = bySentence.get(m.sentence)!;
    let found = cues.get(m.sentence);
    if (!found) cues.set(m.sentence, (found = cuesOf(list)));
    const sentence = { text, list, cues: found };
    const represented =
      !m.locative && (speaks(sentence, m, others, quoted) || appositiveSpeech(text, list, m));
    let actor = byKey.get(m.key);
    if (!actor) {
      actor = {
        key: m.key,
        name: m.name,
        role: m.role ?? UNKNOWN_ROLE,
        named: m.named,
        mentions: 0,
        represented: false,
        sentences: [],
        place: false,
        evidence: null,
      };
      locatives.set(m.key, 0);
      byKey.set(m.key, actor);
    }
    if (m.named && m.name.length > actor.name.length && m.key === m.name.toLowerCase())
      actor.name = m.name;
    // A role the text gives (a title, an appositive) is better than a head word's category.
    if (m.role && (actor.role === UNKNOWN_ROLE || (m.described && actor.evidence !== 'described')))
      actor.role = m.role;
    actor.named ||= m.named;
    actor.mentions++;
    if (m.locative) locatives.set(m.key, locatives.get(m.key)! + 1);
    actor.represented ||= represented;
    actor.evidence = strongest(actor.evidence, evidenceOf(sentence, m, represented));
    if (actor.evidence === 'group' && actor.role === UNKNOWN_ROLE)
      actor.role = GROUPS.get(m.key) ?? 'group';
    if (actor.sentences[actor.sentences.length - 1] !== m.sentence)
      actor.sentences.push(m.sentence);
    const inSentence = mentions.get(m.sentence) ?? [];
    inSentence.push({ key: m.key, sentence: m.sentence, from: m.from, to: m.to, represented });
    mentions.set(m.sentence, inSentence);
  }
  // Speakers named only as "he" or by a role, in any sentence (those without mentions too):
  // only the speech verbs are needed, found once per sentence.
  let holders: Map<string, Actor[]> | undefined;
  words.forEach((list, index) => {
    const pronoun = list.findIndex((w) => w.lower === 'he' || w.lower === 'she');
    const hasThe = list.some((w) => w.lower === 'the');
    if (pronoun === -1 && !hasThe) return;
    const speech = cues.get(index)?.speech ?? matchers.speech.find(list);
    if (speech.length === 0) return;
    // "“…,” he said.": the speaker is the first person named in this sentence before the
    // pronoun, else the first named in the sentence before (the subject "he" goes back to).
    if (pronoun !== -1 && pronounSpeaks(text, list, speech)) {
      const person = (ms: readonly NameMention[] | undefined, before = Infinity) =>
        (ms ?? []).find(
          (m) =>
            m.from < before &&
            !insideQuotes(quoted, words[m.sentence]![m.from]!.start) &&
            isPerson(byKey.get(m.key)!),
        );
      const speaker = person(bySentence.get(index), pronoun) ?? person(bySentence.get(index - 1));
      if (speaker) byKey.get(speaker.key)!.represented = true;
    }
    // "“…,” the House speaker said": the one actor the text gave that role to.
    if (!hasThe) return;
    for (const role of rolesSpeaking(list, speech)) {
      holders ??= roleHolders(byKey.values());
      const holding = holders.get(role);
      if (holding?.length === 1) holding[0]!.represented = true;
    }
  });
  for (const actor of byKey.values()) {
    if (
      actor.named &&
      actor.role === UNKNOWN_ROLE &&
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

/**
 * The named actors by each role they hold, the role being their whole role or its end from a
 * word on ("house speaker" holds "house speaker" and "speaker"): the actors whose `role` is
 * `r` or ends with ` ${r}`, found once for all the roles a chunk's sentences name.
 */
function roleHolders(actors: Iterable<Actor>): Map<string, Actor[]> {
  const out = new Map<string, Actor[]>();
  for (const actor of actors) {
    if (!actor.named) continue;
    const roles = new Set([actor.role]);
    for (let k = actor.role.indexOf(' '); k !== -1; k = actor.role.indexOf(' ', k + 1))
      roles.add(actor.role.slice(k + 1));
    for (const role of roles) {
      const list = out.get(role);
      if (list) list.push(actor);
      else out.set(role, [actor]);
    }
  }
  return out;
}

/** A named person: a first and last name, or a name the text gives a personal title. */
function isPerson(actor: Actor): boolean {
  if (!actor.named || actor.evidence === 'institution' || actor.evidence === 'group') return false;
  if (actor.evidence === null || / (?:of|for|on|and|the) /.test(` ${actor.key} `)) return false;
  const words = actor.key.split(' ').length;
  return (words >= 2 && words <= 3) || (actor.evidence === 'described' && words <= 3);
}

const EVIDENCE_ORDER: readonly Evidence[] = ['described', 'institution', 'group', 'speaks', 'acts'];

function strongest(a: Evidence | null, b: Evidence | null): Evidence | null {
  if (a === null || b === null) return a ?? b;
  return EVIDENCE_ORDER.indexOf(a) <= EVIDENCE_ORDER.indexOf(b) ? a : b;
}

function evidenceOf(sentence: Sentence, m: NameMention, represented: boolean): Evidence | null {
  const { text, list } = sentence;
  if (m.described) return 'described';
  if (m.institution) return 'institution';
  if (
    !m.named ||
    (m.to - m.from === 1 && PLURAL_GROUP.test(text.slice(list[m.from]!.start, list[m.from]!.end)))
  )
    return 'group';
  if (represented) return 'speaks';
  return !m.locative && acts(sentence, m) ? 'acts' : null;
}
