import { matchers } from '../lexicon.js';
import type { Actor, Mention } from '../stakeholders.js';
import { quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';

/**
 * `disputed_claim`: an accusation against an actor ("accused the Ministry of…", "the Council
 * has failed to…") when the document gives no response of that actor anywhere in the chunk.
 * `missing_perspective`: central actors (mentioned at least `centralMentions` times) whose own
 * words or stated position the document never reports.
 *
 * Both notes start `perspective` with the actor's name: the reduce stage relies on that to drop
 * notes about actors that another chunk does quote.
 */
const PASSIVE = new Set(['was', 'were', 'been', 'being', 'is', 'are', 'be']);

export function disputedNotes(context: NoteContext): NoteCandidate[] {
  const out: NoteCandidate[] = [];
  const reported = new Set<string>();
  context.analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = context.words[index]!;
    const mentions = context.cast.mentions.get(index) ?? [];
    if (mentions.length === 0) return;
    const cues = [
      ...matchers.accuseAfter
        .find(list)
        .map((m) => ({ ...m, after: !PASSIVE.has(list[m.from - 1]?.lower ?? '') })),
      ...matchers.accuseBefore.find(list).map((m) => ({ ...m, after: false })),
    ].sort((a, b) => a.from - b.from);
    for (const cue of cues) {
      const target = cue.after
        ? mentions.find((m) => m.from >= cue.to && m.from - cue.to <= 6)
        : [...mentions].reverse().find((m) => m.to <= cue.from && cue.from - m.to <= 8);
      const actor = target && context.cast.byKey.get(target.key);
      if (!actor || actor.represented || actor.place || reported.has(actor.key + index)) continue;
      reported.add(actor.key + index);
      const cueText = surface(context, index, cue.from, cue.to);
      out.push({
        kind: 'disputed_claim',
        claim: `The document makes an accusation against ${actor.name} ("${cueText}").`,
        perspective: `${actor.name}'s own response to the accusation`,
        note: `The document does not report a response from ${actor.name}; the accusation is presented from one side only.`,
        quotes: [
          quoteAt(context, index, Math.min(cue.from, target!.from), Math.max(cue.to, target!.to)),
        ],
        score: 0.7 + Math.min(0.2, 0.05 * actor.mentions),
        position: sentence.start,
      });
    }
  });
  return out;
}

export function missingPerspectiveNotes(context: NoteContext): NoteCandidate[] {
  const central = context.cast.actors.filter(
    (actor) =>
      !actor.represented && !actor.place && actor.mentions >= context.settings.centralMentions,
  );
  return central.map((actor) => {
    const quotes = firstMentions(context, actor, context.settings.maxCitationsPerNote);
    return {
      kind: 'missing_perspective',
      claim: `The document discusses ${actor.name} (${actor.mentions} mentions) without giving their own words or stated position.`,
      perspective: `${actor.name}, in their own words`,
      note: `${upperFirst(actor.name)}'s view is absent: the document describes ${actor.named ? 'this actor' : 'this group'} but does not quote them or report their position.`,
      quotes,
      score: (actor.named ? 0.6 : 0.5) + Math.min(0.3, 0.03 * actor.mentions),
      position: context.analysis.sentences[actor.sentences[0]!]!.start,
    };
  });
}

function firstMentions(context: NoteContext, actor: Actor, count: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const sentence of actor.sentences) {
    const mention = (context.cast.mentions.get(sentence) ?? []).find(
      (m: Mention) => m.key === actor.key,
    );
    if (!mention) continue;
    out.push(quoteAt(context, sentence, mention.from, mention.to));
    if (out.length >= count) break;
  }
  return out;
}

function upperFirst(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
