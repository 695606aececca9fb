import { z } from 'zod';
import { BriefFailure, UsageView } from '../briefs/schema.js';
import type { PerspectivesRow } from '../db/schema.js';
import { usageView, type PriceTable } from '../llm/prices.js';
import { PERSPECTIVE_STATUSES, PerspectivesProgress, PerspectivesResult } from './schema.js';

export const PerspectivesView = z
  .object({
    id: z.string(),
    status: z.enum(PERSPECTIVE_STATUSES),
    documents: z.array(z.object({ id: z.string(), title: z.string().nullable() })),
    prompt: z.object({ ref: z.string(), sha256: z.string() }),
    provider: z.string(),
    model: z.string(),
    progress: PerspectivesProgress.nullable(),
    result: PerspectivesResult.nullable(),
    error: BriefFailure.nullable(),
    usage: UsageView.nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'PerspectivesView' });
export type PerspectivesView = z.infer<typeof PerspectivesView>;

export function toPerspectivesView(
  row: PerspectivesRow,
  titles: ReadonlyMap<string, string | null>,
  prices: PriceTable,
): PerspectivesView {
  return {
    id: row.id,
    status: row.status,
    documents: row.documentIds.map((id) => ({ id, title: titles.get(id) ?? null })),
    prompt: { ref: row.promptRef, sha256: row.promptSha256 },
    provider: row.provider,
    model: row.model,
    progress: row.progress ?? null,
    result: row.result ?? null,
    error: row.error ?? null,
    usage: usageView(prices, row, row.usage),
    createdAt: new Date(row.createdAt).toISOString(),
    finishedAt: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
  };
}
