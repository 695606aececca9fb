import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { paramsHashOf } from '../briefs/cache-key.js';
import type { SubmitOutcome } from '../briefs/submit.js';
import { leaseLapsed } from '../db/leases.js';
import { documents, perspectives, type PerspectivesRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { randomHex, sha256Hex, stableStringify } from '../lib/hash.js';
import { renewLease } from '../lib/lease.js';
import { waitForRow } from '../lib/wait.js';
import { modelFor } from '../llm/select.js';
import type { PerspectivesContext } from './context.js';
import { sendPerspectives } from './queue.js';
import { runPerspectives } from './run.js';
import { toPerspectivesView, type PerspectivesView } from './view.js';

export const MIN_DOCUMENTS = 2;
export const MAX_DOCUMENTS = 5;
const DOCUMENT_ID = /^[0-9a-f]{64}$/;

export interface PerspectivesInput {
  documents: string[];
  prompt?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
}

/** How a request was answered, as for briefs: from the cache, made now, still running, or failed. */
export type PerspectivesOutcome = SubmitOutcome;

/**
 * Perspectives across stored documents: answered from the cache (key: the documents as a set,
 * the prompt's sha256, provider, model and params), joined when it already runs in this process,
 * or claimed and run; then waits up to `waitMs`. Everything is checked before anything is written.
 * @throws AppError 400 for fewer than two distinct documents or a version without a
 * `# perspectives` section, 404 for an unknown document or prompt.
 */
export async function submitPerspectives(
  context: PerspectivesContext,
  input: PerspectivesInput,
  waitMs: number,
): Promise<{ outcome: PerspectivesOutcome; view: PerspectivesView }> {
  const ids = [...new Set(input.documents.map((id) => id.trim()))];
  if (ids.length < MIN_DOCUMENTS || ids.length > MAX_DOCUMENTS)
    throw new AppError(
      'invalid_request',
      `Give ${MIN_DOCUMENTS} to ${MAX_DOCUMENTS} distinct document ids (got ${ids.length})`,
    );
  const malformed = ids.find((id) => !DOCUMENT_ID.test(id));
  if (malformed)
    throw new AppError('invalid_request', `"${malformed}" is not a document id (64 hex digits)`);
  const ref = input.prompt ?? context.defaultPrompt;
  if (!ref)
    throw new AppError('invalid_request', 'No prompt version here has a # perspectives section');
  const prompt = context.prompts.resolve(ref);
  if (!prompt.templates.perspectives)
    throw new AppError(
      'invalid_request',
      `${prompt.ref} has no # perspectives section; use ${context.defaultPrompt ?? 'a version that has one'}`,
    );
  const provider = context.providers.get(input.provider);
  const model = modelFor(provider, input.model);
  const stored = await context.db
    .select({ id: documents.id, title: documents.title, text: documents.text })
    .from(documents)
    .where(inArray(documents.id, ids));
  const byId = new Map(stored.map((row) => [row.id, row]));
  const missing = ids.find((id) => !byId.has(id));
  if (missing) throw new AppError('not_found', `No document with id ${missing}`);
  const titles = new Map(stored.map((row) => [row.id, row.title]));

  const paramsHash = await paramsHashOf(context, prompt);
  const cacheKey = await sha256Hex(
    stableStringify({
      documents: [...ids].sort(),
      prompt: prompt.sha256,
      provider: provider.name,
      model,
      paramsHash,
    }),
  );
  let [row] = await context.db
    .select()
    .from(perspectives)
    .where(eq(perspectives.cacheKey, cacheKey))
    .limit(1);
  if (row?.status === 'succeeded')
    return { outcome: 'cached', view: toPerspectivesView(row, titles, context.prices) };

  if (!row || !context.running.has(row.id)) {
    const claimed = await claim(context, row, {
      cacheKey,
      documentIds: ids,
      promptRef: prompt.ref,
      promptSha256: prompt.sha256,
      provider: provider.name,
      model,
      paramsHash,
    });
    row = claimed.row;
    // On a Worker with its work queue, a consumer runs it (src/perspectives/queue.ts).
    if (claimed.ours && context.queue) await sendPerspectives(context.queue, row.id);
    else if (claimed.ours) {
      const id = row.id;
      const stopRenewing = renewLease(context.leaseMs, (until) =>
        context.db
          .update(perspectives)
          .set({ leaseUntil: until })
          .where(and(eq(perspectives.id, id), eq(perspectives.status, 'running'))),
      );
      const run = runPerspectives(context, id, {
        documents: ids.map((documentId) => byId.get(documentId)!),
        prompt,
        provider,
        model,
        onProgress: (progress) => {
          for (const listener of context.listeners.get(id) ?? []) listener(progress);
        },
      }).finally(() => {
        stopRenewing();
        context.running.delete(id);
        for (const listener of context.listeners.get(id) ?? []) listener({ done: -1, total: -1 });
        context.listeners.delete(id);
      });
      context.running.set(id, run);
      context.background(run);
    }
  }
  const id = row.id;
  const final = await waitForRow({
    run: context.running.get(id),
    read: () => readRow(context, id),
    runningHere: () => context.running.has(id),
    waitMs,
    pollMs: context.pollMs,
  });
  const outcome =
    final.status === 'succeeded' ? 'created' : final.status === 'failed' ? 'failed' : 'running';
  return { outcome, view: toPerspectivesView(final, titles, context.prices) };
}

type NewRow = Pick<
  PerspectivesRow,
  'cacheKey' | 'documentIds' | 'promptRef' | 'promptSha256' | 'provider' | 'model' | 'paramsHash'
>;

/** Inserts the row, or takes over a failed one or one whose lease lapsed (as briefs do). */
async function claim(
  context: PerspectivesContext,
  existing: PerspectivesRow | undefined,
  fields: NewRow,
): Promise<{ row: PerspectivesRow; ours: boolean }> {
  const now = Date.now();
  const leaseUntil = now + context.leaseMs;
  let current = existing;
  if (!current) {
    const [inserted] = await context.db
      .insert(perspectives)
      .values({
        ...fields,
        id: `psp_${randomHex(12)}`,
        status: 'running',
        leaseUntil,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) return { row: inserted, ours: true };
    [current] = await context.db
      .select()
      .from(perspectives)
      .where(eq(perspectives.cacheKey, fields.cacheKey))
      .limit(1);
    if (!current) throw new Error('perspectives row vanished after a conflicting insert');
  }
  const [taken] = await context.db
    .update(perspectives)
    .set({
      status: 'running',
      error: null,
      result: null,
      usage: null,
      progress: null,
      leaseUntil,
      // On Workers: queued, unheld. A failed run sent again starts its attempts afresh; one whose
      // lease lapsed keeps them, so BRIEF_MAX_ATTEMPTS still ends a run that kills its consumer.
      holder: null,
      attempts: sql`case when ${perspectives.status} = 'failed' then 0 else ${perspectives.attempts} end`,
      updatedAt: now,
      finishedAt: null,
    })
    .where(
      and(
        eq(perspectives.id, current.id),
        or(
          eq(perspectives.status, 'failed'),
          and(eq(perspectives.status, 'running'), leaseLapsed(perspectives, now)),
        ),
      ),
    )
    .returning();
  return taken ? { row: taken, ours: true } : { row: current, ours: false };
}

async function readRow(context: PerspectivesContext, id: string): Promise<PerspectivesRow> {
  const [row] = await context.db
    .select()
    .from(perspectives)
    .where(eq(perspectives.id, id))
    .limit(1);
  if (!row) throw new AppError('not_found', `No perspectives with id ${id}`);
  return row;
}

/** One perspectives run, in whatever state it is. @throws AppError 400 / 404. */
export async function getPerspectives(
  context: PerspectivesContext,
  id: string,
): Promise<PerspectivesView> {
  if (!/^psp_[0-9a-f]{24}$/.test(id))
    throw new AppError(
      'invalid_request',
      `"${id}" is not a perspectives id (psp_ and 24 hex digits)`,
    );
  const row = await readRow(context, id);
  const stored = await context.db
    .select({ id: documents.id, title: documents.title })
    .from(documents)
    .where(inArray(documents.id, row.documentIds));
  return toPerspectivesView(row, new Map(stored.map((d) => [d.id, d.title])), context.prices);
}

/**
 * Marks runs whose process stopped (lease lapsed) as failed, so they do not read `running`
 * forever; the next POST of the same documents takes a failed run over and runs it again.
 * The Node entry point sweeps now and then, as it does for briefs and evaluations.
 */
export async function failInterruptedPerspectives(
  context: Pick<PerspectivesContext, 'db'>,
): Promise<number> {
  const now = Date.now();
  const failed = await context.db
    .update(perspectives)
    .set({
      status: 'failed',
      error: {
        code: 'internal',
        message: 'Interrupted: the process running it stopped; POST it again',
      },
      leaseUntil: null,
      updatedAt: now,
      finishedAt: now,
    })
    .where(and(eq(perspectives.status, 'running'), lt(perspectives.leaseUntil, now)))
    .returning({ id: perspectives.id });
  return failed.length;
}
