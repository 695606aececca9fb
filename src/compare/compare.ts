import { diffWords } from 'diff';
import { NOTE_KINDS, type Brief } from '../briefs/schema.js';
import type { BriefView } from '../briefs/view.js';
import { rouge, type RougeScores } from './rouge.js';
import { matchItems, type Matched } from './match.js';
import { briefMetrics, coverageSegments, type BriefMetrics } from './metrics.js';

type KeyPoint = Brief['keyPoints'][number];
type Note = Brief['counterPerspectives'][number];

export interface DiffPart {
  type: 'equal' | 'added' | 'removed';
  text: string;
}

export interface Comparison {
  document: { id: string; title: string | null };
  a: BriefView;
  b: BriefView;
  /** Word-level diff from a's summary to b's. */
  summaryDiff: DiffPart[];
  keyPoints: Matched<KeyPoint>[];
  /** Notes matched within each kind. */
  notes: Record<string, Matched<Note>[]>;
  counts: { keyPoints: Record<Matched<unknown>['status'], number>; notes: Record<Matched<unknown>['status'], number> };
  metrics: { a: BriefMetrics; b: BriefMetrics };
  /** b's summary scored against a's (so recall is "how much of a survives in b"). */
  rouge: RougeScores;
}

/** Everything that changed between two briefs of one document. Pure: no I/O. */
export function compareBriefs(a: BriefView, b: BriefView, source: string): Comparison {
  const briefA = a.brief ?? emptyBrief;
  const briefB = b.brief ?? emptyBrief;
  const segments = coverageSegments(source);
  const keyPoints = matchItems(briefA.keyPoints, briefB.keyPoints, (point) => point);
  const notes: Record<string, Matched<Note>[]> = {};
  for (const kind of NOTE_KINDS) {
    const matched = matchItems(
      briefA.counterPerspectives.filter((note) => note.kind === kind),
      briefB.counterPerspectives.filter((note) => note.kind === kind),
      (note) => ({ text: `${note.claim} ${note.note}`, citations: note.citations }),
    );
    if (matched.length > 0) notes[kind] = matched;
  }

  return {
    document: a.document,
    a,
    b,
    summaryDiff: diffWords(briefA.summary, briefB.summary).map((part) => ({
      type: part.added ? 'added' : part.removed ? 'removed' : 'equal',
      text: part.value,
    })),
    keyPoints,
    notes,
    counts: { keyPoints: countStatuses(keyPoints), notes: countStatuses(Object.values(notes).flat()) },
    metrics: { a: briefMetrics(a, source, segments), b: briefMetrics(b, source, segments) },
    rouge: rouge(briefB.summary, briefA.summary),
  };
}

const emptyBrief: Brief = { headline: '', summary: '', keyPoints: [], stakeholders: [], counterPerspectives: [] };

function countStatuses(items: Matched<unknown>[]) {
  const counts = { kept: 0, changed: 0, added: 0, dropped: 0 };
  for (const item of items) counts[item.status]++;
  return counts;
}
