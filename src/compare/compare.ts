import { diffWords } from 'diff';
import { z } from 'zod';
import { Brief, NOTE_KINDS } from '../briefs/schema.js';
import { BriefView } from '../briefs/view.js';
import { matchItems, type Matched } from './match.js';
import { BriefMetrics, briefMetrics, coverageSegments } from './metrics.js';
import { rouge } from './rouge.js';

type Note = Brief['counterPerspectives'][number];

const MatchStatus = z.enum(['kept', 'changed', 'added', 'dropped']);
const StatusCounts = z.object({
  kept: z.number(),
  changed: z.number(),
  added: z.number(),
  dropped: z.number(),
});
const Score = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

/** One part of a text diff: unchanged, or only in the newer text, or only in the older one. */
export const DiffPart = z.object({ type: z.enum(['equal', 'added', 'removed']), text: z.string() });
export type DiffPart = z.infer<typeof DiffPart>;

/** An item of brief a paired with its counterpart in brief b (matchItems in ./match.ts). */
function matched<T extends z.ZodType>(item: T) {
  return z.object({
    status: MatchStatus,
    a: item.nullable(),
    b: item.nullable(),
    similarity: z.number().nullable(),
  });
}

/** Two briefs of one document and what changed from a to b. */
export const Comparison = z
  .object({
    document: z.object({ id: z.string(), title: z.string().nullable() }),
    a: BriefView,
    b: BriefView,
    summaryDiff: z.array(DiffPart).describe("Word-level diff from a's summary to b's"),
    keyPoints: z.array(matched(Brief.shape.keyPoints.element)),
    notes: z
      .record(z.string(), z.array(matched(Brief.shape.counterPerspectives.element)))
      .describe('Notes matched within each kind, keyed by kind'),
    counts: z.object({ keyPoints: StatusCounts, notes: StatusCounts }),
    metrics: z.object({ a: BriefMetrics, b: BriefMetrics }),
    // b's summary scored against a's, so recall is "how much of a survives in b".
    rouge: z
      .object({ rouge1: Score, rouge2: Score, rougeL: Score })
      .describe("b's summary scored against a's"),
  })
  .meta({ id: 'Comparison' });
export type Comparison = z.infer<typeof Comparison>;

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
    counts: {
      keyPoints: countStatuses(keyPoints),
      notes: countStatuses(Object.values(notes).flat()),
    },
    metrics: { a: briefMetrics(a, source, segments), b: briefMetrics(b, source, segments) },
    rouge: rouge(briefB.summary, briefA.summary),
  };
}

const emptyBrief: Brief = {
  headline: '',
  summary: '',
  keyPoints: [],
  stakeholders: [],
  counterPerspectives: [],
};

function countStatuses(items: Matched<unknown>[]) {
  const counts = { kept: 0, changed: 0, added: 0, dropped: 0 };
  for (const item of items) counts[item.status]++;
  return counts;
}
