import { CUES, matchers } from './lexicon.js';
import type { NameMention } from './names.js';
import type { PhraseMatch, Word } from './words.js';

/**
 * Whether a mention of an actor gives its words or stated position in its sentence, and
 * whether it acts there — the evidence stakeholders.ts builds a cast on.
 */

/** The verb and hedge cues of one sentence, found once for all its mentions. */
export interface Cues {
  speech: PhraseMatch<string>[];
  stance: PhraseMatch<string>[];
  agent: PhraseMatch<string>[];
  accuseBefore: PhraseMatch<string>[];
  accuseAfter: PhraseMatch<string>[];
  unheard: PhraseMatch<string>[];
  hedge: PhraseMatch<string>[];
}

export function cuesOf(list: readonly Word[]): Cues {
  return {
    speech: matchers.speech.find(list),
    stance: matchers.stance.find(list),
    agent: matchers.agent.find(list),
    accuseBefore: matchers.accuseBefore.find(list),
    accuseAfter: matchers.accuseAfter.find(list),
    unheard: matchers.unheard.find(list),
    hedge: matchers.hedge.find(list),
  };
}
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
const APPOSITIVE_SPEECH =
  /^,[^.;"“]{0,140}?, (?:said|says|told|argued|added|wrote|warned|stated|explained|insisted)\b/;
/** What may stand between a subject and its verb: "X has also said", "X on Friday said". */
const FILLER =
  /^(?:\s*\([^()\n]{1,40}\))?(?:\s+(?:has|have|had|also|then|later|again|once|previously|recently|publicly|privately|repeatedly|separately|himself|herself|itself|themselves|will|would|could|may|might|must|should|did|does|do|not|never|today|yesterday|earlier|at the time|on \p{Lu}\p{Ll}+day|last \p{Ll}+|this \p{Ll}+))*\s+$/u;
/** "according to a study by X": X's work is X's stated finding. */
const ACCORDING_TO_WORK =
  /^ (?:a|an|the)(?: new| recent| \p{Ll}+)? (?:study|report|survey|analysis|review|estimate|poll|paper) (?:by|from|of) (?:the )?$/u;
/** Verbs with no object to be the participle of: "ruled in" is the court ruling. */
const INTRANSITIVE = new Set(['ruled', 'agreed', 'concluded', 'testified', 'responded']);
const PASSIVE_NEXT = new Set(['by', 'in', 'under', 'at', 'for']);
const COORDINATED = /^ and (?:other|several|many|some|fellow) (?:\p{Ll}+ ){0,3}$/u;
/** Words that may stand between a subject and its verb (see `isSubjectGap`). */
const MAX_SUBJECT_GAP = 24;
/** An appositive set off by commas between a subject and its verb. */
const APPOSITIVE_FILLER = /^,[^.;"“”]{1,140},\s+(?:\p{Ll}+\s+){0,2}$/u;
export interface Sentence {
  text: string;
  list: readonly Word[];
  cues: Cues;
}

/** "X proposed", "X has failed to", "accused X": the mention is the one acting or accused. */
export function acts({ text, list, cues }: Sentence, m: NameMention): boolean {
  for (const matches of [cues.agent, cues.stance, cues.speech, cues.accuseBefore])
    for (const match of matches)
      if (
        match.from >= m.to &&
        isSubjectGap(text, list, m, match.from) &&
        (matches === cues.speech || !isReducedRelative(list, match))
      )
        return true;
  // "X was not consulted": the text says X should have been heard.
  for (const match of cues.unheard)
    if (
      match.from >= m.to &&
      /^\s+(?:(?:was|were|has|have|had|been|is|are)\s+)*$/.test(
        between(text, list, m.to, match.from),
      )
    )
      return true;
  return cues.accuseAfter.some(
    (match) =>
      match.to <= m.from &&
      m.from - match.to <= 1 &&
      !/[,.;:]/.test(between(text, list, match.to, m.from)),
  );
}

/** The text between word `to - 1` and word `from`. */
function between(text: string, list: readonly Word[], to: number, from: number): string {
  return text.slice(list[to - 1]!.end, list[from]!.start);
}

/** "the Fund proposed in this paper", "the cap approved by Parliament": a participle, no act. */
function isReducedRelative(list: readonly Word[], verb: { to: number; phrase: string }): boolean {
  if (INTRANSITIVE.has(verb.phrase)) return false; // "the Court ruled in 1898"
  return /ed$/.test(verb.phrase) && PASSIVE_NEXT.has(list[verb.to]?.lower ?? '');
}

/**
 * Only auxiliaries, adverbs of time or a comma-bounded appositive stand between subject and
 * verb; with `coordinated`, also "and other housing charities" ("Shelter Cymru and other
 * housing charities estimate").
 */
export function isSubjectGap(
  text: string,
  list: readonly Word[],
  subject: { from: number; to: number },
  from: number,
  coordinated = false,
): boolean {
  if (from - subject.to > MAX_SUBJECT_GAP) return false;
  let gap = between(text, list, subject.to, from);
  // "Critics, however, say", "X, the chair, said": a phrase set off by commas.
  if (APPOSITIVE_FILLER.test(gap)) return true;
  // ", Gareth Lowe, said": a name that is itself the appositive (it opens after a comma) —
  // not "the top Democrat on the Intelligence Committee, said" (the committee is not speaking).
  if (gap.startsWith(',')) {
    let k = list[subject.from]!.start;
    while (k > 0 && /\s/.test(text[k - 1]!)) k--;
    if (text[k - 1] !== ',') return false;
    gap = gap.slice(1);
  }
  return FILLER.test(gap) || (coordinated && COORDINATED.test(gap));
}

/**
 * Whether the character at `at` lies inside one of the quotations (not on its marks). The
 * quotations are in order and disjoint (`quotedRanges`): only the last one opened before `at`
 * can hold it.
 */
export function insideQuotes(
  quoted: ReadonlyArray<readonly [number, number]>,
  at: number,
): boolean {
  let low = 0;
  let high = quoted.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (quoted[middle]![0] < at) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found >= 0 && at < quoted[found]![1];
}

/** Starts of the quotations longer than three characters, for `quotationIn`. */
const longQuotations = new WeakMap<object, number[]>();

/** Whether a quotation longer than three characters opens in [from, to). */
function quotationIn(
  quoted: ReadonlyArray<readonly [number, number]>,
  from: number,
  to: number,
): boolean {
  let starts = longQuotations.get(quoted);
  if (!starts) {
    starts = quoted.filter(([a, b]) => b - a > 3).map(([a]) => a);
    longQuotations.set(quoted, starts);
  }
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (starts[middle]! < from) low = middle + 1;
    else high = middle;
  }
  return low < starts.length && starts[low]! < to;
}

/** `/\([^)]*$/.test(text)`: a bracket opened and not closed by the end of the text. */
function unclosedBracket(text: string): boolean {
  return text.lastIndexOf('(') > text.lastIndexOf(')');
}

/** "Tamsin Reyes, the member who led the campaign, said …". */
export function appositiveSpeech(text: string, list: readonly Word[], m: NameMention): boolean {
  const end = list[m.to - 1]!.end;
  return APPOSITIVE_SPEECH.test(text.slice(end, end + 200));
}

/**
 * Does this mention give the actor's own words or stated position? "X said", "X has argued",
 * "X, the chair, said", "…, said X.", "according to X", "X's statement", "X agrees that",
 * "X estimates", "X opposes the plan", "X accused them of “…”" — not "X did not respond",
 * "Nobody in X will say", "told X", nor a mention inside someone else's quotation.
 */
export function speaks(
  { text, list, cues }: Sentence,
  m: NameMention,
  others: readonly NameMention[],
  quoted: readonly (readonly [number, number])[],
): boolean {
  if (insideQuotes(quoted, list[m.from]!.start)) return false;
  if (m.possessive && list.slice(m.to, m.to + 2).some((w) => SPEECH_NOUNS.has(w.lower)))
    return true;
  const subject = list.slice(Math.max(0, m.from - 3), m.from).map((w) => w.lower);
  if (subject.some((w) => NO_ONE.has(w))) return false;
  // Only a verb at most MAX_SUBJECT_GAP words after the mention can have it for subject, so
  // only the actors named in that stretch can stand between them.
  const near = others.filter((other) => other.from >= m.to && other.from < m.to + MAX_SUBJECT_GAP);
  const verbs: Array<[readonly PhraseMatch<string>[], boolean, boolean]> = [
    [cues.speech, true, false],
    [cues.stance, false, false],
    [cues.agent, false, true],
    [cues.accuseAfter, false, true],
  ];
  for (const [matches, speech, quoting] of verbs)
    for (const verb of matches) {
      if (!speech && isReducedRelative(list, verb)) continue;
      if (
        verb.from >= m.to &&
        verb.from - m.to <= MAX_SUBJECT_GAP &&
        // "X did not say", "X has yet to respond": no voice of X.
        !list
          .slice(m.to, verb.from)
          .some((w) => NEGATORS.has(w.lower) || w.lower.endsWith("n't")) &&
        // Another actor between subject and verb is the subject, unless in brackets ("(R-N.Y.)").
        !near.some(
          (other) =>
            other.from < verb.from && !unclosedBracket(between(text, list, m.to, other.from + 1)),
        ) &&
        isSubjectGap(text, list, m, verb.from, true)
      ) {
        // An act is a voice only with the actor's words quoted after it ("accused them of
        // “…”", "called the law “dangerous”") or a statement it makes ("issued a statement").
        if (!quoting) return true;
        if (quotationIn(quoted, list[verb.to - 1]!.end, list[list.length - 1]!.end)) return true;
        if (list.slice(verb.to, verb.to + 3).some((w) => SPEECH_NOUNS.has(w.lower))) return true;
      }
      // "…, said X." / "says the X," — not "said X will" (X is the subject of what was said).
      if (
        speech &&
        !/^tell|^told/.test(verb.phrase) &&
        verb.to <= m.from &&
        m.from - verb.to <= 1
      ) {
        const gap = between(text, list, verb.to, m.from);
        const after = text.slice(list[m.to - 1]!.end, list[m.to - 1]!.end + 2);
        if (!/[,.;:]/.test(gap) && /^(?:[,.;:!?"”’)]|\s*$)/.test(after)) return true;
      }
    }
  // "according to X", "according to a study by X".
  for (const match of cues.hedge) {
    if (match.phrase !== 'according to' || match.to > m.from) continue;
    const gap = between(text, list, match.to, m.from);
    if (m.from - match.to <= 1 || ACCORDING_TO_WORK.test(gap)) return true;
  }
  const before = list.slice(Math.max(0, m.from - 3), m.from).map((w) => w.lower);
  return SPEECH_NOUNS.has(before[0] ?? '') && (before.includes('for') || before.includes('of'));
}

const PERSONAL_SUBJECTS = new Set(['he', 'she']);

/**
 * "“…,” he said." / "She added that …": a sentence whose speaker is "he" or "she", not negated.
 * stakeholders.ts gives that voice to the one person named just before, if there is one.
 */
export function pronounSpeaks(
  text: string,
  list: readonly Word[],
  speech: readonly PhraseMatch<string>[],
): boolean {
  return speech.some((verb) => {
    for (let k = verb.from - 1; k >= 0 && k >= verb.from - 4; k--) {
      if (!PERSONAL_SUBJECTS.has(list[k]!.lower)) continue;
      const negated = list.slice(k + 1, verb.from).some((w) => NEGATORS.has(w.lower));
      return !negated && isSubjectGap(text, list, { from: k, to: k + 1 }, verb.from);
    }
    return false;
  });
}

/**
 * The roles named as speakers in a sentence: "the House speaker said" → "house speaker", "said
 * the minister." → "minister" (one to three words after "the", not negated).
 */
export function rolesSpeaking(
  list: readonly Word[],
  speech: readonly PhraseMatch<string>[],
): string[] {
  const out: string[] = [];
  for (const verb of speech) {
    for (let k = verb.from - 2; k >= 0 && k >= verb.from - 4; k--) {
      if (list[k]!.lower !== 'the') continue;
      const phrase = list.slice(k + 1, verb.from).map((w) => w.lower);
      if (!phrase.some((w) => NEGATORS.has(w))) out.push(phrase.join(' '));
      break;
    }
    if (list[verb.to]?.lower === 'the' && verb.to + 2 === list.length)
      out.push(list[verb.to + 1]!.lower);
  }
  return out;
}
