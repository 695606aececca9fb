import { matchers } from '../lexicon.js';
import { isSubjectGap } from '../heard.js';
import type { Actor, Mention } from '../stakeholders.js';
import { isAuthorVoice, issuerWords } from '../voice.js';
import { authorsWording, quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';

/**
 * `disputed_claim`: the author's own accusation against an actor ("the Ministry has failed
 * to…", "we blame the Council for…") when the chunk gives no response of that actor. An
 * accusation the document reports ("critics accused the Ministry", "the Ministry was accused"),
 * quotes or sets up to reject is someone else's, not the document's claim.
 * `missing_perspective`: a party the document makes claims about and never quotes or gives a
 * stated position of: one it accuses, or one it says was not heard ("residents were not
 * consulted", "the company did not respond"). Not every actor it names.
 *
 * Both notes start `perspective` with the actor's name: the reduce stage relies on that to drop
 * notes about actors that another chunk does quote.
 */
const PASSIVE = new Set(['was', 'were', 'been', 'being', 'is', 'are', 'be']);
const FIRST_PERSON = new Set(['i', 'we']);

interface Accusation {
  actor: Actor;
  sentence: number;
  from: number;
  to: number;
  cue: string;
}

/** The author's accusations against actors who are never heard in the chunk. */
function accusations(context: NoteContext): Accusation[] {
  const out: Accusation[] = [];
  const seen = new Set<string>();
  const own = issuerWords(context.genre.issuer);
  context.analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = context.words[index]!;
    const mentions = context.cast.mentions.get(index) ?? [];
    if (mentions.length === 0) return;
    const cues = [
      ...matchers.accuseAfter.find(list).map((m) => ({ ...m, after: true })),
      ...matchers.accuseBefore.find(list).map((m) => ({ ...m, after: false })),
    ].sort((a, b) => a.from - b.from);
    for (const cue of cues) {
      if (!authorsWording(context, index, cue.from, cue.to)) continue;
      let target: Mention | undefined;
      if (cue.after) {
        const lead = list.slice(Math.max(0, cue.from - 4), cue.from).map((w) => w.lower);
        // "was accused": by whom is not said; "Critics accused X", "He blamed X", "Beck, armed
        // with a chalkboard, blamed X": the accuser's words, reported. Only "we blame X" (or
        // the issuer's name) is the document's own accusation.
        if (PASSIVE.has(lead.at(-1) ?? '')) continue;
        if (!lead.some((w) => FIRST_PERSON.has(w) || own.has(w))) continue;
        target = mentions.find((m) => m.from >= cue.to && m.from - cue.to <= 4);
      } else {
        // "The Ministry has failed to…": the accused is the subject, nothing but auxiliaries or
        // an appositive between ("Trump fired Flynn because he misled…" accuses no one here).
        // "Ostmark's leaders have lied": the accused is the possessor of the subject.
        const text = context.analysis.text;
        const possessor = (m: Mention) =>
          /['’]s$/.test(list[m.to - 1]!.lower) &&
          m.to < cue.from &&
          /^\p{Ll}/u.test(text[list[m.to]!.start]!) &&
          isSubjectGap(text, list, { from: m.to, to: m.to + 1 }, cue.from);
        target = [...mentions]
          .reverse()
          .find((m) => m.to <= cue.from && (isSubjectGap(text, list, m, cue.from) || possessor(m)));
      }
      const actor = target && context.cast.byKey.get(target.key);
      if (!actor || actor.represented || actor.place || seen.has(actor.key + index)) continue;
      seen.add(actor.key + index);
      out.push({
        actor,
        sentence: index,
        from: Math.min(cue.from, target!.from),
        to: Math.max(cue.to, target!.to),
        cue: surface(context, index, cue.from, cue.to),
      });
    }
  });
  return out;
}

export function disputedNotes(context: NoteContext): NoteCandidate[] {
  return accusations(context).map(({ actor, sentence, from, to, cue }) => ({
    kind: 'disputed_claim',
    claim: `The document accuses ${actor.name} ("${cue}") as a matter of fact.`,
    perspective: `${actor.name}'s own response to the accusation`,
    note: `The document does not report a response from ${actor.name}; the accusation is presented from one side only.`,
    quotes: [quoteAt(context, sentence, from, to)],
    score: 0.7 + Math.min(0.2, 0.05 * actor.mentions),
    position: context.analysis.sentences[sentence]!.start,
  }));
}

export function missingPerspectiveNotes(context: NoteContext): NoteCandidate[] {
  const reasons = new Map<string, { actor: Actor; why: string; quote: [number, number] }>();
  for (const accusation of accusations(context)) {
    if (reasons.has(accusation.actor.key)) continue;
    reasons.set(accusation.actor.key, {
      actor: accusation.actor,
      why: `accuses ${accusation.actor.name} but never gives their side`,
      quote: quoteAt(context, accusation.sentence, accusation.from, accusation.to),
    });
  }
  context.analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = context.words[index]!;
    const mentions = context.cast.mentions.get(index) ?? [];
    for (const cue of matchers.unheard.find(list)) {
      if (!isAuthorVoice(context.voice, index, list[cue.from]!.start, list[cue.to - 1]!.end))
        continue;
      const mention =
        [...mentions].reverse().find((m) => m.to <= cue.from && cue.from - m.to <= 5) ??
        mentions.find((m) => m.from >= cue.to && m.from - cue.to <= 2);
      const actor = mention && context.cast.byKey.get(mention.key);
      if (!actor || actor.represented || actor.place || reasons.has(actor.key)) continue;
      reasons.set(actor.key, {
        actor,
        why: `says ${actor.name} ${surface(context, index, cue.from, cue.to).replace(/^not /, actor.named ? 'was not ' : 'were not ')}`,
        quote: quoteAt(
          context,
          index,
          Math.min(cue.from, mention!.from),
          Math.max(cue.to, mention!.to),
        ),
      });
    }
  });
  const enough = (actor: Actor) => actor.mentions >= context.settings.centralMentions;
  return [...reasons.values()]
    .filter(({ actor }) => enough(actor))
    .map(({ actor, why, quote }) => ({
      kind: 'missing_perspective',
      claim: `The document ${why}.`,
      perspective: `${actor.name}, in their own words`,
      note: `${possessive(upperFirst(actor.name))} view is absent: the document makes claims about ${actor.named ? 'this actor' : 'this group'} but does not quote them or report their position.`,
      quotes: [quote],
      score: (actor.named ? 0.65 : 0.6) + Math.min(0.2, 0.03 * actor.mentions),
      position: quote[0],
    }));
}

/** "the Ministry" → "the Ministry's"; "Families" → "Families'". */
export function possessive(name: string): string {
  return /s$/.test(name) ? `${name}'` : `${name}'s`;
}

function upperFirst(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
