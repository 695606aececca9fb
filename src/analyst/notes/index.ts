import type { ModelBrief, NoteKind } from '../../briefs/schema.js';
import { disputedNotes, missingPerspectiveNotes } from './claims.js';
import { contextNotes } from './context.js';
import { figureNotes } from './figures.js';
import { loadedNotes, repetitionNotes } from './language.js';
import { techniqueNotes } from './techniques.js';
import type { NoteCandidate, NoteContext } from './types.js';

export type { NoteCandidate, NoteContext } from './types.js';

type Note = ModelBrief['counterPerspectives'][number];

const DETECTORS: Array<[NoteKind, (context: NoteContext) => NoteCandidate[]]> = [
  ['unverified_figure', figureNotes],
  ['disputed_claim', disputedNotes],
  ['missing_perspective', missingPerspectiveNotes],
  ['loaded_language', loadedNotes],
  ['rhetorical_technique', repetitionNotes],
  ['rhetorical_technique', techniqueNotes],
  ['missing_context', contextNotes],
];

/**
 * Runs the detectors for the kinds the prompt version asks for, keeps the best
 * `maxNotesPerKind` of each kind, then interleaves kinds (strongest kind first) up to
 * `maxNotes`, so a brief shows the range of what was found rather than ten notes of one kind.
 */
export function findNotes(context: NoteContext): Note[] {
  const { settings } = context;
  const byKind = new Map<NoteKind, NoteCandidate[]>();
  for (const [kind, detect] of DETECTORS) {
    if (!settings.noteKinds.has(kind)) continue;
    byKind.set(kind, [...(byKind.get(kind) ?? []), ...detect(context)]);
  }
  const queues = [...byKind.values()]
    .map((list) => dedupe(list).sort(byStrength).slice(0, Math.max(0, settings.maxNotesPerKind)))
    .filter((list) => list.length > 0)
    .sort((a, b) => byStrength(a[0]!, b[0]!));
  const chosen: NoteCandidate[] = [];
  for (let round = 0; chosen.length < settings.maxNotes; round++) {
    const before = chosen.length;
    for (const queue of queues) {
      const next = queue[round];
      if (next && chosen.length < settings.maxNotes) chosen.push(next);
    }
    if (chosen.length === before) break;
  }
  const text = context.analysis.text;
  return chosen.map((candidate) => ({
    kind: candidate.kind,
    claim: candidate.claim,
    perspective: candidate.perspective,
    note: candidate.note,
    citations: candidate.quotes.map(([start, end]) => ({ quote: text.slice(start, end) })),
  }));
}

function byStrength(a: NoteCandidate, b: NoteCandidate): number {
  return (
    b.score - a.score ||
    a.position - b.position ||
    (a.claim < b.claim ? -1 : a.claim > b.claim ? 1 : 0)
  );
}

/** Two notes of one kind on the same passage say the same thing: keep the stronger. */
function dedupe(list: NoteCandidate[]): NoteCandidate[] {
  const best = new Map<string, NoteCandidate>();
  for (const candidate of list) {
    const key = `${candidate.kind}:${candidate.quotes[0]?.join('-') ?? candidate.claim}`;
    const current = best.get(key);
    if (!current || byStrength(candidate, current) < 0) best.set(key, candidate);
  }
  return [...best.values()];
}
