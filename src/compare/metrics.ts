import { z } from 'zod';
import { loadedRate } from '../analyst/lexicon.js';
import { NOTE_KINDS, type Brief, type NoteKind } from '../briefs/schema.js';
import type { BriefView } from '../briefs/view.js';
import { chunkText } from '../pipeline/chunk.js';
import { tokenize } from './rouge.js';

/** Size of the fixed segments coverage is measured over, in estimated tokens. */
export const COVERAGE_SEGMENT_TOKENS = 500;

export const BriefMetrics = z
  .object({
    /** Words in the summary. */
    words: z.number(),
    /** Source words ÷ summary words: how many times shorter the summary is. */
    compressionRatio: z.number().nullable(),
    keyPoints: z.number(),
    citations: z.number(),
    /** Share of citations located in the source (null when there are none). */
    citationsVerified: z.number().nullable(),
    /** Share of the source's segments that at least one verified citation falls in. */
    coverage: z.number(),
    /** Share of the summary's words that are loaded (the offline analyst's lexicon). */
    loadedRate: z.number(),
    notes: z.number(),
    notesByKind: z.record(z.string(), z.number()),
    calls: z.number(),
    cachedCalls: z.number(),
    tokens: z.number(),
    latencyMs: z.number().nullable(),
  })
  .meta({ id: 'BriefMetrics' });
export type BriefMetrics = z.infer<typeof BriefMetrics>;

/** Segment boundaries of a source for coverage: the chunker at a fixed, provider-independent size. */
export function coverageSegments(source: string): { start: number; end: number }[] {
  return chunkText(source, {
    maxTokens: COVERAGE_SEGMENT_TOKENS,
    overlapTokens: 0,
    countTokens: (text) => Math.ceil(text.length / 4),
  }).map(({ bodyStart, end }) => ({ start: bodyStart, end }));
}

/** Metrics of one brief against its source. `segments` may be passed in when computed already. */
export function briefMetrics(
  view: BriefView,
  source: string,
  segments = coverageSegments(source),
): BriefMetrics {
  const brief: Brief | null = view.brief;
  const citations = brief
    ? [...brief.keyPoints, ...brief.counterPerspectives].flatMap((item) => item.citations)
    : [];
  const verified = citations.filter((c) => c.verified && c.start !== null && c.end !== null);
  const covered = segments.filter((segment) =>
    verified.some((c) => c.start! < segment.end && c.end! > segment.start),
  ).length;
  const words = brief ? tokenize(brief.summary).length : 0;
  const sourceWords = tokenize(source).length;
  const notesByKind = Object.fromEntries(NOTE_KINDS.map((kind) => [kind, 0])) as Record<
    NoteKind,
    number
  >;
  for (const note of brief?.counterPerspectives ?? []) notesByKind[note.kind]++;
  return {
    words,
    compressionRatio: words === 0 ? null : round(sourceWords / words, 2),
    keyPoints: brief?.keyPoints.length ?? 0,
    citations: citations.length,
    citationsVerified: citations.length === 0 ? null : round(verified.length / citations.length, 4),
    coverage: segments.length === 0 ? 0 : round(covered / segments.length, 4),
    loadedRate: brief ? round(loadedRate(brief.summary), 4) : 0,
    notes: brief?.counterPerspectives.length ?? 0,
    notesByKind,
    calls: view.usage?.calls ?? 0,
    cachedCalls: view.usage?.cachedCalls ?? 0,
    tokens: (view.usage?.promptTokens ?? 0) + (view.usage?.completionTokens ?? 0),
    latencyMs: view.timings?.totalMs ?? null,
  };
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
