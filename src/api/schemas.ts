import { z } from 'zod';
import { Brief, Citation } from '../briefs/schema.js';
import type { BriefEvent as BriefEventType } from '../briefs/events.js';
import { BriefView } from '../briefs/view.js';
import type { Comparison as ComparisonType } from '../compare/compare.js';
import { BriefMetrics } from '../compare/metrics.js';
import { BRIEF_STATUSES, EVAL_STATUSES } from '../db/schema.js';
import { DocumentView } from '../documents/service.js';
import { ErrorBody } from '../errors.js';
import { PromptParams } from '../prompts/prompt.js';

/**
 * Response bodies of the HTTP API, as zod schemas: what the routes return (their builders are
 * typed with these) and what /openapi.json documents (src/api/spec.ts turns them into
 * `components.schemas`, one per key of `apiComponents`).
 *
 * Where the domain already owns a schema (BriefView, DocumentView, BriefMetrics, Brief,
 * ErrorBody) it is reused as is; the rest live here. Where the domain owns only a TypeScript
 * type (Comparison, BriefEvent), the schema is checked against that type at compile time, both
 * ways, so neither can change without the other.
 */

export const Health = z.object({
  status: z.literal('ok'),
  provider: z.string().describe('The default LLM provider: openai or local'),
  model: z.string().describe("The default provider's default model"),
  providers: z
    .array(z.object({ name: z.string(), defaultModel: z.string() }))
    .describe('Every provider a request may name (`provider`), the default first: the offline analyst (local) is always one'),
  prompts: z.number().int().describe('Published prompt versions'),
});
export type Health = z.infer<typeof Health>;

export const BriefList = z.object({
  items: z.array(BriefView),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});
export type BriefList = z.infer<typeof BriefList>;

const Progress = z.object({ done: z.number().int(), total: z.number().int() });

/** The `data` of one server-sent event of GET /v1/briefs/{id}/events; its `type` is also the event name. */
export const BriefEvent = z
  .union([
    z.object({ type: z.literal('status'), id: z.string(), status: z.enum(BRIEF_STATUSES), chunks: z.number().nullable() }),
    z.object({ type: z.literal('queued'), id: z.string(), chunks: z.number().int().describe('Chunks to read: one map call each, queued behind the LLM concurrency limit') }),
    z.object({ type: z.literal('progress'), id: z.string(), stage: z.literal('map'), ...Progress.shape }),
    z.object({ type: z.literal('progress'), id: z.string(), stage: z.literal('reduce'), level: z.number().int(), ...Progress.shape }),
    z.object({ type: z.literal('verified'), id: z.string(), citations: z.number().int(), verifiedCitations: z.number().int() }),
    z.object({ type: z.literal('succeeded'), id: z.string(), brief: BriefView }),
    z.object({ type: z.literal('failed'), id: z.string(), error: z.object({ code: z.string(), message: z.string() }) }),
  ])
  .describe('One event: status on connect, queued (the chunk count), map/reduce progress, verified, then succeeded or failed');

const MatchStatus = z.enum(['kept', 'changed', 'added', 'dropped']);
const StatusCounts = z.object({ kept: z.number(), changed: z.number(), added: z.number(), dropped: z.number() });
const DiffPart = z.object({ type: z.enum(['equal', 'added', 'removed']), text: z.string() });
const Score = z.object({ precision: z.number(), recall: z.number(), f1: z.number() });

/** An item of brief a paired with its counterpart in brief b (src/compare/match.ts). */
function matched<T extends z.ZodType>(item: T) {
  return z.object({ status: MatchStatus, a: item.nullable(), b: item.nullable(), similarity: z.number().nullable() });
}

export const Comparison = z.object({
  document: z.object({ id: z.string(), title: z.string().nullable() }),
  a: BriefView,
  b: BriefView,
  summaryDiff: z.array(DiffPart).describe("Word-level diff from a's summary to b's"),
  keyPoints: z.array(matched(Brief.shape.keyPoints.element)),
  notes: z.record(z.string(), z.array(matched(Brief.shape.counterPerspectives.element))).describe('Notes matched within each kind, keyed by kind'),
  counts: z.object({ keyPoints: StatusCounts, notes: StatusCounts }),
  metrics: z.object({ a: BriefMetrics, b: BriefMetrics }),
  rouge: z.object({ rouge1: Score, rouge2: Score, rougeL: Score }).describe("b's summary scored against a's"),
});

export const CompareRunning = z.object({
  status: z.literal('running'),
  briefs: z.array(z.string()).describe('The two brief ids; ask again, or follow their events'),
});
export type CompareRunning = z.infer<typeof CompareRunning>;

export const PromptSummary = z.object({
  ref: z.string(),
  name: z.string(),
  version: z.number().int(),
  description: z.string(),
  sha256: z.string(),
  latest: z.boolean().describe('True for the highest version of its name'),
  params: PromptParams,
});
export type PromptSummary = z.infer<typeof PromptSummary>;

export const PromptList = z.object({ items: z.array(PromptSummary) });
export type PromptList = z.infer<typeof PromptList>;

export const PromptDetail = PromptSummary.extend({
  templates: z.object({ system: z.string(), map: z.string(), reduce: z.string() }),
  source: z.string().describe('The prompt file as written (its sha256 is `sha256`)'),
});
export type PromptDetail = z.infer<typeof PromptDetail>;

export const PromptDiff = z.object({
  a: z.object({ ref: z.string(), sha256: z.string() }),
  b: z.object({ ref: z.string(), sha256: z.string() }),
  paramsChanged: z.array(z.string()),
  parts: z.array(DiffPart).describe('Line diff from a to b'),
  unified: z.string().describe('The same diff as a unified patch'),
});
export type PromptDiff = z.infer<typeof PromptDiff>;

export const EvalSummary = z.object({
  id: z.string(),
  status: z.enum(EVAL_STATUSES),
  prompts: z.array(z.string()),
  corpus: z.string(),
  documents: z.number().int(),
  progress: z.object({ done: z.number().int(), total: z.number().int() }).describe('Briefs finished of documents × prompts'),
  provider: z.string(),
  model: z.string(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type EvalSummary = z.infer<typeof EvalSummary>;

export const EvalList = z.object({
  items: z.array(EvalSummary),
  nextBefore: z.string().nullable().describe('Pass as `before` for the next page; null on the last page'),
});
export type EvalList = z.infer<typeof EvalList>;

export const EvalDetail = EvalSummary.extend({
  // Stored as written by the run that made it, so older runs may have older shapes.
  report: z.record(z.string(), z.unknown()).nullable().describe('The report of `parallax eval` (EvalReport in src/evals/run.ts); null while running'),
});
export type EvalDetail = z.infer<typeof EvalDetail>;

/** Every named schema of /openapi.json: `components.schemas.<key>`. A response schema must be one of these. */
export const apiComponents = {
  Error: ErrorBody,
  Citation,
  Brief,
  BriefView,
  BriefList,
  BriefEvent,
  DocumentView,
  PromptSummary,
  PromptList,
  PromptDetail,
  PromptDiff,
  BriefMetrics,
  Comparison,
  CompareRunning,
  EvalSummary,
  EvalList,
  EvalDetail,
  Health,
} satisfies Record<string, z.ZodType>;

/**
 * True when A and B are the same type (identical, not merely assignable: an extra optional
 * field on either side makes it false). `Flat` spreads each union member's intersections
 * (`{ type } & Progress`) into one object, which identity would otherwise tell apart.
 */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Flat<T> = T extends unknown ? { [K in keyof T]: T[K] } : never;
true satisfies Equals<z.infer<typeof Comparison>, ComparisonType>;
true satisfies Equals<Flat<z.infer<typeof BriefEvent>>, Flat<BriefEventType>>;
