import { and, eq } from 'drizzle-orm';
import { briefs, type BriefRow } from '../db/schema.js';
import { documentTitles, type NewDocument } from '../documents/queries.js';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import { waitForRow } from '../lib/wait.js';
import { modelFor } from '../llm/select.js';
import { contextBudget } from '../pipeline/context-budget.js';
import type { Priority } from '../pipeline/fair-limit.js';
import { briefCacheKey } from './cache-key.js';
import { remember, type BriefContext } from './context.js';
import { claimBrief, startBrief } from './lease.js';
import { sendBrief } from './queue.js';
import { mapsWhileCut, tooManyChunks } from './run.js';
import { toBriefView, type BriefView } from './view.js';

export interface SubmitInput {
  text: string;
  title?: string | undefined;
  prompt?: string | undefined;
  /** A provider of this deployment by name (`openai`, `local`); the default when absent. */
  provider?: string | undefined;
  model?: string | undefined;
  mediaType?: string | undefined;
  /** Paged documents: where each page starts in the normalized text (src/ingest/pages.ts). */
  pageMap?: number[] | undefined;
  /** `background` for an evaluation's briefs: their LLM calls wait while a user's are queued. */
  priority?: Priority | undefined;
  /**
   * Run again though a succeeded brief is cached (`?refresh=`): `brief` ignores the brief cache
   * (LLM calls are still answered from theirs), `calls` makes every LLM call anew too. The new
   * brief takes the cache key over; the old one stays readable, unchanged, under its id. A
   * refresh while the brief runs joins that run.
   */
  refresh?: 'brief' | 'calls' | undefined;
}

/** How a submission was answered: from the cache, made now, still running, or failed. */
export type SubmitOutcome = 'cached' | 'created' | 'running' | 'failed';

/**
 * Submits a document for a brief: answers it from the brief cache, joins the run already
 * going in this process, or claims and starts one (on a Worker with a work queue, sends it to
 * the queue, src/briefs/queue.ts); then waits up to `waitMs` for the outcome.
 * @throws AppError for an empty document, an unknown prompt, provider or model.
 */
export async function submitBrief(
  context: BriefContext,
  input: SubmitInput,
  waitMs: number,
): Promise<{ outcome: SubmitOutcome; view: BriefView }> {
  const provider = context.providers.get(input.provider);
  const text = await context.normalize(input.text);
  if (text.length === 0)
    throw new AppError(
      'invalid_request',
      'The document is empty (no text after normalizing whitespace)',
    );
  const title = input.title?.trim() || null;
  const prompt = context.prompts.resolve(input.prompt ?? context.defaultPrompt);
  const model = modelFor(provider, input.model);
  const documentId = await sha256Hex(text);
  const key = await briefCacheKey(context, { documentId, prompt, provider, model });
  const document: NewDocument = {
    id: documentId,
    title,
    text,
    mediaType: input.mediaType ?? 'text/plain',
    pageMap: input.pageMap ?? null,
  };

  // A paged document (a PDF) answered from the cache may still bring the page map its text lacked.
  const known = input.refresh ? undefined : context.succeededByKey.get(key.parts);
  if (known) {
    if (document.pageMap) await storeDocument(context, document);
    return { outcome: 'cached', view: known };
  }
  const cacheKey = await key.hash();
  let [hit] = await context.reads.byCacheKey.all({ key: cacheKey });
  if (hit?.row.status === 'succeeded' && input.refresh) {
    await retire(context, hit.row, key.parts);
    hit = undefined;
  }
  if (hit?.row.status === 'succeeded') {
    if (document.pageMap) await storeDocument(context, document);
    return {
      outcome: 'cached',
      view: remember(
        context.succeededByKey,
        key.parts,
        toBriefView(hit.row, hit.title, true, context.prices),
      ),
    };
  }

  // Every LLM call a brief makes is bounded before anything is stored: the document is chunked
  // here (the run takes these chunks rather than chunking again), in chunks that fit the
  // model's context window with the prompt, and refused past the cap. A request that joins a
  // run of this process needs neither: that run's document passed already. Nor does a document
  // too short to pass the cap with any chunking, when the prompt lets map calls start while the
  // document is cut: its run chunks it, and a fast model's first calls start meanwhile (issue 14).
  const budget = contextBudget({ provider, model, prompt, contextTokens: context.contextTokens });
  const task = {
    text,
    maxTokens: Math.min(provider.chunkTokens, budget.chunk),
    overlapTokens: context.overlapTokens,
    provider: provider.name,
    model,
  };
  const chunkChecked = async () => {
    const made = await context.chunk(task);
    if (made.length > context.maxChunks) throw tooManyChunks(made.length, context.maxChunks);
    return made;
  };
  const cutByRun = mapsWhileCut(prompt, task, context.maxChunks);
  let chunks = cutByRun || (hit && joinable(context, hit.row)) ? undefined : await chunkChecked();

  // Stored without its search index entry, which takes longer to write than the row (~20 ms
  // for 580 KB) and which the run does not need: it is written below, after the run has started
  // (on a server, the work thread then cuts the document first: migrations/0010).
  const written = await storeDocument(context, document, { index: false });
  // The stored title: a document sent again without one keeps the title it was stored with.
  const storedTitle = title ?? hit?.title ?? (await titleOf(context, documentId));
  let row = hit?.row;
  if (!row || !joinable(context, row)) {
    // The run this request meant to join may have ended in between.
    if (!cutByRun) chunks ??= await chunkChecked();
    const claimed = await claimBrief(context, row, {
      cacheKey,
      documentId,
      promptRef: prompt.ref,
      promptName: prompt.name,
      promptVersion: prompt.version,
      promptSha256: prompt.sha256,
      provider: provider.name,
      model,
      params: prompt.params,
      paramsHash: key.paramsHash,
    });
    row = claimed.row;
    if (claimed.ours && context.queue)
      await sendBrief(context.queue, row.id, {
        title: storedTitle,
        refreshCalls: input.refresh === 'calls',
      });
    else if (claimed.ours)
      startBrief(context, row, {
        text,
        title: storedTitle,
        prompt,
        provider,
        chunks,
        priority: input.priority,
        refreshCalls: input.refresh === 'calls',
      });
  }

  // A failure leaves the document waiting: the next search indexes it.
  if (written) {
    const indexed = context
      .indexDocuments()
      .catch((error: unknown) =>
        context.logger.warn('search indexing failed', { documentId, reason: String(error) }),
      );
    context.background(indexed);
  }

  const id = row.id;
  const finished = await waitForRow({
    run: context.running.get(id),
    read: async () => {
      const [stored] = await context.db.select().from(briefs).where(eq(briefs.id, id)).limit(1);
      if (!stored) throw new Error(`brief ${id} vanished`);
      return stored;
    },
    runningHere: () => context.running.has(id),
    waitMs,
    pollMs: context.pollMs,
  });
  const view = toBriefView(finished, storedTitle, false, context.prices);
  const outcome =
    finished.status === 'succeeded'
      ? 'created'
      : finished.status === 'failed'
        ? 'failed'
        : 'running';
  return { outcome, view };
}

/**
 * A run to wait on rather than claim: one of this process's, or on a Worker with a queue, one
 * queued or running in a consumer (its lease is live; once it lapses, a submission takes it over).
 */
function joinable(context: BriefContext, row: BriefRow): boolean {
  if (context.running.has(row.id)) return true;
  return (
    context.queue !== undefined && row.status === 'running' && (row.leaseUntil ?? 0) >= Date.now()
  );
}

/**
 * Stores the document; when that changed a stored one (it gained a title or pages), views made
 * before are dropped. True when a row was written.
 */
async function storeDocument(
  context: BriefContext,
  document: NewDocument,
  options?: { index?: boolean },
): Promise<boolean> {
  if (!(await context.saveDocument(document, options))) return false;
  for (const views of [context.succeeded, context.succeededByKey]) {
    for (const [key, view] of views) if (view.document.id === document.id) views.delete(key);
  }
  return true;
}

/**
 * Moves a succeeded brief out of the brief cache's way for a refresh: its row keeps its id and
 * content (readable, and final: GET answers it `immutable`) under a key of its own, and the key
 * is free for the new run. Of two refreshes at once one moves it and the other's update finds
 * nothing; both then claim the key, and the second joins the first's run.
 */
async function retire(context: BriefContext, row: BriefRow, parts: string): Promise<void> {
  await context.db
    .update(briefs)
    .set({ cacheKey: `${row.cacheKey}:${row.id}` })
    .where(and(eq(briefs.id, row.id), eq(briefs.cacheKey, row.cacheKey)));
  context.succeededByKey.delete(parts);
}

async function titleOf(context: BriefContext, documentId: string): Promise<string | null> {
  return (await documentTitles(context, [documentId])).get(documentId) ?? null;
}
