import { matchers } from '../lexicon.js';
import { authorsWording, quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';

/**
 * A negation, hedge or contrast before the cue: "not always", "almost all of them", "the people
 * who replied rather than all residents" are not sweeping.
 */
const QUALIFIERS = new Set([
  'not',
  'than',
  'nor',
  "isn't",
  "aren't",
  'almost',
  'nearly',
  'virtually',
  'practically',
]);
/** Words of a rule or a statute's prescription, where a cue states a condition, not a claim. */
const PRESCRIPTIVE = new Set([
  'shall',
  'hereby',
  'pursuant',
  'notwithstanding',
  'thereof',
  'herein',
]);

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
    // A rule is not a claim: "may not deny benefits solely because …" sets a condition.
    if (list.some((w) => PRESCRIPTIVE.has(w.lower))) return;
    const qualified = (from: number) => QUALIFIERS.has(list[from - 1]?.lower ?? '');
    const usable = (m: { from: number; to: number }) =>
      !qualified(m.from) && authorsWording(context, index, m.from, m.to);
    const causal = matchers.causal.find(list).find(usable);
    const general = matchers.generalisation.find(list).find(usable);
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
