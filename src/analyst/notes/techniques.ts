import { matchers, type TechniqueName } from '../lexicon.js';
import { authorsWording, quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';

/**
 * `rhetorical_technique` notes for cue-phrase techniques, one note per technique with up to
 * `maxCitationsPerNote` examples. Names follow the SemEval-2020 Task 11 / SemEval-2023 Task 3
 * persuasion-technique taxonomy; exaggeration and minimisation are one technique there.
 */
const DESCRIPTIONS: Record<string, { label: string; does: string; perspective: string }> = {
  Appeal_to_Authority: {
    label: 'Appeal to authority',
    does: 'supports a claim by invoking unnamed or general authority rather than a named source or evidence',
    perspective: 'The experts or studies referred to, named, and any who disagree',
  },
  'Flag-Waving': {
    label: 'Flag-waving',
    does: 'appeals to national or group identity to support its position',
    perspective: "Arguments on the policy's merits, apart from identity",
  },
  'Black-and-White_Fallacy': {
    label: 'Black-and-white fallacy',
    does: 'presents two options (or one) as the only ones available',
    perspective: 'Intermediate or alternative options the document does not discuss',
  },
  'Exaggeration/Minimisation': {
    label: 'Exaggeration/minimisation',
    does: 'uses wording that magnifies or belittles the scale of something without measuring it',
    perspective: 'Measured evidence of the scale involved',
  },
};

export function techniqueNotes(context: NoteContext): NoteCandidate[] {
  const found = new Map<string, Array<{ sentence: number; from: number; to: number }>>();
  const add = (name: string, hit: { sentence: number; from: number; to: number }) => {
    const list = found.get(name) ?? [];
    if (list[list.length - 1]?.sentence !== hit.sentence) list.push(hit);
    found.set(name, list);
  };
  context.analysis.sentences.forEach((sentence, index) => {
    if (sentence.heading) return;
    const list = context.words[index]!;
    for (const match of matchers.technique.find(list)) {
      // Someone else's framing, quoted or reported, is theirs; a name is not a framing.
      if (!authorsWording(context, index, match.from, match.to)) continue;
      add(canonical(match.data), { sentence: index, from: match.from, to: match.to });
    }
  });
  return [...found.entries()].map(([name, hits]) => {
    const description = DESCRIPTIONS[name]!;
    const first = hits[0]!;
    const cue = surface(context, first.sentence, first.from, first.to);
    return {
      kind: 'rhetorical_technique' as const,
      claim: `The document ${description.does} ("${cue}"${hits.length > 1 ? ` and ${hits.length - 1} more` : ''}).`,
      perspective: description.perspective,
      note: `${description.label} (SemEval persuasion technique ${name}): the passage persuades through the framing rather than through evidence given in the document.`,
      quotes: hits
        .slice(0, context.settings.maxCitationsPerNote)
        .map((h) => quoteAt(context, h.sentence, h.from, h.to)),
      score: 0.5 + Math.min(0.3, 0.1 * hits.length),
      position: context.analysis.sentences[first.sentence]!.start,
    };
  });
}

function canonical(name: TechniqueName): string {
  return name === 'Exaggeration' || name === 'Minimisation' ? 'Exaggeration/Minimisation' : name;
}
