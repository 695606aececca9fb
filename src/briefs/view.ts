import { z } from 'zod';
import { BRIEF_STATUSES, Brief, BriefFailure, BriefTimings, UsageView } from './schema.js';
import type { BriefRow } from '../db/schema.js';
import { usageView, type PriceTable } from '../llm/prices.js';

/** A brief as the API returns it: the brief itself plus everything needed to reproduce it. */
export const BriefView = z
  .object({
    id: z.string(),
    status: z.enum(BRIEF_STATUSES),
    /** True when this response was served from the brief cache without running anything. */
    cached: z.boolean(),
    document: z.object({ id: z.string(), title: z.string().nullable() }),
    prompt: z.object({
      ref: z.string(),
      name: z.string(),
      version: z.number(),
      sha256: z.string(),
    }),
    provider: z.string(),
    model: z.string(),
    /** The model name the endpoint reported answering with, when it differs or is more specific. */
    answeredBy: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    chunks: z.number().nullable(),
    /** The stored counts, and their cost estimated at current prices (`prices`). */
    usage: UsageView.nullable(),
    timings: BriefTimings.nullable(),
    brief: Brief.nullable(),
    error: BriefFailure.nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'BriefView' });
export type BriefView = z.infer<typeof BriefView>;

export function toBriefView(
  row: BriefRow,
  title: string | null,
  cached: boolean,
  prices: PriceTable,
): BriefView {
  return {
    id: row.id,
    status: row.status,
    cached,
    document: { id: row.documentId, title },
    prompt: {
      ref: row.promptRef,
      name: row.promptName,
      version: row.promptVersion,
      sha256: row.promptSha256,
    },
    provider: row.provider,
    model: row.model,
    answeredBy: row.answeredBy,
    params: row.params,
    chunks: row.chunks,
    usage: usageView(prices, row, row.usage),
    timings: row.timings ?? null,
    brief: row.result ?? null,
    error: row.error ?? null,
    createdAt: new Date(row.createdAt).toISOString(),
    finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
  };
}
