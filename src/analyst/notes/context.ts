import { matchers } from '../lexicon.js';
import { quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';

/**
 * `missing_context`: sweeping generalisations ("everyone knows", "always", "all landlords")
 * and causal oversimplification (SemEval: Causal_Oversimplification — "the only reason",
 * "solely because"). One note per sentence; a negated cue ("not always") is not sweeping.
 */
export function contextNotes(context: NoteContext): NoteCandidate[] {
  const out: NoteCandidate[] = [];
  context.analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = context.words[index]!;
    const negated = (from: number) =>
      ['not', 'nor', "isn't", "aren't"].includes(list[from - 1]?.lower ?? '');
    const causal = matchers.causal.find(list).find((m) => !negated(m.from));
    const general = matchers.generalisation.find(list).find((m) => !negated(m.from));
    const cue = causal ?? general;
    if (!cue) return;
    const text = surface(context, index, cue.from, cue.to);
    out.push(
      causal
        ? {
            kind: 'missing_context',
            claim: `The document attributes an outcome to a single cause ("${text}").`,
            perspective: 'Other contributing factors, and evidence for how much each one explains',
            note: 'Causal oversimplification: the passage names one cause where outcomes of this kind usually have several, and the document does not weigh the others.',
            quotes: [quoteAt(context, index, cue.from, cue.to)],
            score: 0.65,
            position: sentence.start,
          }
        : {
            kind: 'missing_context',
            claim: `The document makes a sweeping generalisation ("${text}").`,
            perspective: 'Evidence on the scope of the claim and on the exceptions to it',
            note: 'The generalisation is stated without figures or sources that would show how widely it holds.',
            quotes: [quoteAt(context, index, cue.from, cue.to)],
            score: 0.5,
            position: sentence.start,
          },
    );
  });
  return out;
}
