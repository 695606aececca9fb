import { z } from 'zod';
import { ErrorCode } from '../errors.js';

/**
 * The brief: the one output shape every provider produces (DESIGN.md "The brief").
 *
 * Two variants share one structure:
 * - `ModelBrief` is what a provider returns. Citations carry only the verbatim quote; the model
 *   never supplies offsets, and nothing it says about them would be trusted anyway.
 * - `Brief` is what the service stores and serves, after the verify stage has located every
 *   quote in the source and filled `start`, `end` and `verified`.
 */

/** A brief is running until it has succeeded or failed; `failed` ones are retried by a new POST. */
export const BRIEF_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type BriefStatus = (typeof BRIEF_STATUSES)[number];

export const NOTE_KINDS = [
  'disputed_claim',
  'unverified_figure',
  'missing_perspective',
  'loaded_language',
  'missing_context',
  'rhetorical_technique',
] as const;
export const NoteKind = z.enum(NOTE_KINDS);
export type NoteKind = z.infer<typeof NoteKind>;

export const ModelCitation = z.object({
  quote: z.string().describe('A verbatim span copied character for character from the document'),
});

export const Citation = z
  .object({
    quote: z.string(),
    start: z.number().int().nullable(),
    end: z.number().int().nullable(),
    verified: z.boolean(),
  })
  .meta({ id: 'Citation' });
export type Citation = z.infer<typeof Citation>;

function briefShape<C extends z.ZodType>(citation: C) {
  return z.object({
    headline: z.string().describe('Neutral headline, at most 20 words'),
    summary: z
      .string()
      .describe('Neutral prose; every claim attributed to the document or its sources'),
    keyPoints: z.array(
      z.object({
        text: z.string(),
        citations: z.array(citation),
      }),
    ),
    stakeholders: z.array(
      z.object({
        name: z.string(),
        role: z.string(),
        representedInDocument: z
          .boolean()
          .describe('True when the document reports their own words or stated position'),
      }),
    ),
    counterPerspectives: z.array(
      z.object({
        kind: NoteKind,
        claim: z.string().describe('What the document asserts'),
        perspective: z.string().describe('Whose view, or what evidence, would push back'),
        note: z.string().describe('The counter-perspective, in neutral words'),
        citations: z.array(citation),
      }),
    ),
  });
}

export const ModelBrief = briefShape(ModelCitation);
export type ModelBrief = z.infer<typeof ModelBrief>;

export const Brief = briefShape(Citation).meta({ id: 'Brief' });
export type Brief = z.infer<typeof Brief>;

/** What a brief cost: its pipeline calls and the requests and tokens they took. */
export const BriefUsage = z.object({
  /** Pipeline calls (map + reduce) the brief needed. */
  calls: z.number(),
  /** Of those, answered from the LLM-call cache. */
  cachedCalls: z.number(),
  /** HTTP requests actually sent, retries and repairs included. */
  requests: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
});
export type BriefUsage = z.infer<typeof BriefUsage>;

/**
 * What the tokens of `usage` cost, estimated when the usage is read (src/llm/prices.ts): the
 * price table of today applies to every brief, old ones included, so a corrected or configured
 * price needs no migration, and a stored brief's cost can change with it.
 */
export const UsageCost = z
  .object({
    usd: z
      .number()
      .nullable()
      .describe(
        'Estimated US dollars for the tokens these calls spent (cached calls spent none), at current prices; null when the price is unknown',
      ),
    source: z
      .enum(['list_price', 'configured', 'free', 'unknown'])
      .describe(
        'list_price: the built-in table of list prices; configured: LLM_PRICES; free: the offline analyst; unknown: no price for the model (usd is null)',
      ),
    pricedAs: z.string().nullable().describe('The price entry that matched the model name'),
    inputPerMTok: z.number().nullable().describe('USD per million prompt tokens'),
    outputPerMTok: z.number().nullable().describe('USD per million completion tokens'),
    note: z.string().describe('The estimate in words, or why there is none'),
  })
  .meta({ id: 'UsageCost' });
export type UsageCost = z.infer<typeof UsageCost>;

/** Usage as the API shows it: the stored counts and their estimated cost. */
export const UsageView = BriefUsage.extend({ cost: UsageCost }).meta({ id: 'Usage' });
export type UsageView = z.infer<typeof UsageView>;

/** Where a brief's time went, in milliseconds. */
export const BriefTimings = z.object({
  chunkMs: z.number(),
  mapMs: z.number(),
  reduceMs: z.number(),
  verifyMs: z.number(),
  totalMs: z.number(),
});
export type BriefTimings = z.infer<typeof BriefTimings>;

/** Why a brief failed: a client-facing code of the API's closed set and a specific message. */
export const BriefFailure = z.object({ code: ErrorCode, message: z.string() });
export type BriefFailure = z.infer<typeof BriefFailure>;
