import { and, eq, type SQL } from 'drizzle-orm';
import { briefs } from '../db/schema.js';
import type { BriefStatus } from './schema.js';
import { afterCursor, newestFirst, pageOf } from '../db/pagination.js';
import { documentTitles } from '../documents/queries.js';
import { AppError } from '../errors.js';
import { modelFor } from '../llm/select.js';
import { briefCacheKey } from './cache-key.js';
import { remember, type BriefContext } from './context.js';
import { resumeBrief } from './queue.js';
import { toBriefView, type BriefView } from './view.js';

/** `brf_` and 24 hex digits. */
export const BRIEF_ID = /^brf_[0-9a-f]{24}$/;

/** One brief, in whatever state it is. @throws AppError 400 for a malformed id, 404 for an unknown one. */
export async function getBrief(context: BriefContext, id: string): Promise<BriefView> {
  if (!BRIEF_ID.test(id))
    throw new AppError(
      'invalid_request',
      `"${id}" is not a brief id (brf_ followed by 24 hex digits)`,
    );
  const known = context.succeeded.get(id);
  if (known) return known;
  let [hit] = await context.reads.byId.all({ key: id });
  if (!hit) throw new AppError('not_found', `No brief with id ${id}`);
  const { row } = hit;
  if (context.queue && row.status === 'running' && (row.leaseUntil ?? 0) < Date.now()) {
    // On a Worker with a queue: its consumer died or its message was lost. It is sent again
    // now rather than at the next cron run, so no reader sees it running under a lapsed lease.
    await resumeBrief(context, context.queue, row);
    [hit] = await context.reads.byId.all({ key: id });
    if (!hit) throw new AppError('not_found', `No brief with id ${id}`);
  }
  const view = toBriefView(hit.row, hit.title, false, context.prices);
  return view.status === 'succeeded' ? remember(context.succeeded, id, view) : view;
}

export interface ListFilters {
  document?: string | undefined;
  /** A prompt ref, resolved through the registry: `brief@99` is 404 unknown_prompt, as on every route. */
  prompt?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  status?: BriefStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Briefs, newest first, a page at a time. */
export async function listBriefs(
  context: BriefContext,
  filters: ListFilters,
): Promise<{ items: BriefView[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [afterCursor(briefs, filters.cursor, BRIEF_ID)];
  if (filters.document) conditions.push(eq(briefs.documentId, filters.document));
  if (filters.model) conditions.push(eq(briefs.model, filters.model));
  if (filters.provider) conditions.push(eq(briefs.provider, filters.provider));
  if (filters.status) conditions.push(eq(briefs.status, filters.status));
  if (filters.prompt) {
    const prompt = context.prompts.resolve(filters.prompt);
    conditions.push(eq(briefs.promptName, prompt.name), eq(briefs.promptVersion, prompt.version));
  }
  const rows = await context.db
    .select()
    .from(briefs)
    .where(and(...conditions))
    .orderBy(...newestFirst(briefs))
    .limit(filters.limit + 1);
  const { page, nextCursor } = pageOf(rows, filters.limit);
  const titles = await documentTitles(
    context,
    page.map((row) => row.documentId),
  );
  return {
    items: page.map((row) =>
      toBriefView(row, titles.get(row.documentId) ?? null, false, context.prices),
    ),
    nextCursor,
  };
}

/**
 * The succeeded brief of a document under one prompt version, provider (default: the default)
 * and model (default: the provider's): the brief cache's own entry, so params count too.
 */
export async function findSucceededBrief(
  context: BriefContext,
  query: {
    documentId: string;
    prompt: string;
    provider?: string | undefined;
    model?: string | undefined;
  },
): Promise<BriefView | undefined> {
  const prompt = context.prompts.resolve(query.prompt);
  const provider = context.providers.get(query.provider);
  const model = modelFor(provider, query.model);
  const key = await briefCacheKey(context, {
    documentId: query.documentId,
    prompt,
    provider,
    model,
  });
  const known = context.succeededByKey.get(key.parts);
  if (known) return known;
  const [hit] = await context.reads.byCacheKey.all({ key: await key.hash() });
  if (hit?.row.status !== 'succeeded') return undefined;
  return remember(
    context.succeededByKey,
    key.parts,
    toBriefView(hit.row, hit.title, true, context.prices),
  );
}

/** Whether this process runs the brief now (so its progress arrives on `context.events`). */
export function isRunningHere(context: BriefContext, id: string): boolean {
  return context.running.has(id);
}
