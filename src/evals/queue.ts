import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Delivery, WorkQueue } from '../briefs/queue.js';
import { toBriefFailure } from '../briefs/run.js';
import { submitBrief } from '../briefs/submit.js';
import { toBriefView, type BriefView } from '../briefs/view.js';
import { leaseLapsed, takeableBy } from '../db/leases.js';
import { briefs, documents, evals, type EvalRow } from '../db/schema.js';
import { sha256Hex } from '../lib/hash.js';
import { buildReport, mostDivergent, versionResult, type EvalReport } from './report.js';
import { checkEval, newEvalId, type EvalContext, type EvalOptions } from './run.js';
import { INTERRUPTED, toEvalSummary, type EvalSummary } from './view.js';

/**
 * Corpus evaluations on a Worker's work queue. A run in `waitUntil` had about 30 s; here the
 * run is a chain of short steps, each one queue message (`{ kind: 'eval', evalId }`): a step
 * sends the briefs the run still needs to the queue (at most IN_FLIGHT at a time, so one
 * evaluation does not fill the queue ahead of users' briefs), counts those finished, and either
 * stores the report or sends the next step STEP_SECONDS later. What the steps need is the row's
 * `plan`: the corpus (documents stored in D1 when the run was posted) and each brief's id.
 * A step takes the row by its message id (`holder`) under a lease, like a brief; the cron
 * trigger's `sweepEvals` restarts a chain whose lease lapsed.
 */

/** Briefs of one evaluation sent to the queue and not yet finished, at most. */
const IN_FLIGHT = 4;
/** Seconds between two steps of a running evaluation. */
const STEP_SECONDS = 3;

const PlannedBrief = z.object({
  /** Null until the brief has been sent. */
  briefId: z.string().nullable(),
  /** Answered from the brief cache when it was sent. */
  cached: z.boolean(),
  finished: z.boolean(),
});

/** The `plan` column: the corpus, and one entry per prompt version (the row's order) per document. */
export const EvalPlan = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string().nullable(),
      documentId: z.string(),
      summary: z.string().nullable(),
      briefs: z.array(PlannedBrief),
    }),
  ),
});
export type EvalPlan = z.infer<typeof EvalPlan>;

/**
 * Stores the evaluation (its documents, its row with the plan) and sends its first step.
 * Everything is checked before anything is stored, as for a run in the process.
 */
export async function queueEval(
  deps: EvalContext,
  queue: WorkQueue,
  options: EvalOptions,
): Promise<EvalSummary> {
  const { prompts, provider, model } = checkEval(deps, options);
  const plan: EvalPlan = { items: [] };
  for (const item of options.corpus) {
    const text = await deps.briefs.normalize(item.document);
    const documentId = await sha256Hex(text);
    const title = item.title?.trim() || null;
    await deps.briefs.saveDocument({
      id: documentId,
      title,
      text,
      mediaType: 'text/plain',
      pageMap: null,
    });
    plan.items.push({
      id: item.id,
      title,
      documentId,
      summary: item.summary ?? null,
      briefs: prompts.map(() => ({ briefId: null, cached: false, finished: false })),
    });
  }
  const createdAt = Date.now();
  const [row] = await deps.db
    .insert(evals)
    .values({
      id: newEvalId(),
      prompts: prompts.map((prompt) => prompt.ref),
      corpus: options.corpusLabel,
      documents: options.corpus.length,
      provider: provider.name,
      model,
      status: 'running',
      plan,
      leaseUntil: createdAt + deps.config.BRIEF_LEASE_MS,
      createdAt,
    })
    .returning();
  await queue.send({ kind: 'eval', evalId: row!.id });
  return toEvalSummary(row!);
}

/** One step of an evaluation (see the module comment); acks its delivery unless D1 failed it. */
export async function stepEval(
  deps: EvalContext,
  queue: WorkQueue,
  evalId: string,
  delivery: Delivery,
): Promise<void> {
  const { db } = deps;
  const leaseMs = deps.config.BRIEF_LEASE_MS;
  const now = Date.now();
  const [row] = await db
    .update(evals)
    .set({ holder: delivery.id, leaseUntil: now + leaseMs })
    .where(and(eq(evals.id, evalId), takeableBy(evals, delivery.id, now)))
    .returning();
  // Finished, or a step of another message holds it.
  if (!row) return delivery.ack();
  const parsed = EvalPlan.safeParse(row.plan);
  if (!parsed.success) {
    await finishEval(deps, row.id, { error: INTERRUPTED });
    return delivery.ack();
  }
  const plan = parsed.data;
  try {
    await sendBriefs(deps, row, plan);
    await readFinished(deps, plan);
    const entries = plan.items.flatMap((item) => item.briefs);
    const done = entries.filter((entry) => entry.finished).length;
    if (done === entries.length) {
      await finishEval(deps, row.id, { report: await report(deps, row, plan), done });
      return delivery.ack();
    }
    await db
      .update(evals)
      .set({ plan, done, holder: null, leaseUntil: Date.now() + STEP_SECONDS * 1000 + leaseMs })
      .where(and(eq(evals.id, row.id), eq(evals.holder, delivery.id)));
    await queue.send({ kind: 'eval', evalId: row.id }, { delaySeconds: STEP_SECONDS });
    delivery.ack();
  } catch (error) {
    const failure = toBriefFailure(error);
    // Anything unexpected (a D1 error) goes back to the queue, which delivers the step again.
    if (failure.code === 'internal') throw error;
    // A document the brief path refuses (too many chunks for one brief, say) ends the run, as in the process.
    await finishEval(deps, row.id, { error: failure.message });
    delivery.ack();
  }
}

/** Sends the briefs of `plan` not yet sent, keeping at most IN_FLIGHT unfinished. */
async function sendBriefs(deps: EvalContext, row: EvalRow, plan: EvalPlan): Promise<void> {
  let unfinished = plan.items
    .flatMap((item) => item.briefs)
    .filter((entry) => entry.briefId !== null && !entry.finished).length;
  for (const item of plan.items) {
    for (const [index, entry] of item.briefs.entries()) {
      if (unfinished >= IN_FLIGHT) return;
      if (entry.briefId !== null) continue;
      const [document] = await deps.db
        .select({ text: documents.text })
        .from(documents)
        .where(eq(documents.id, item.documentId))
        .limit(1);
      if (!document) throw new Error(`document ${item.documentId} of eval ${row.id} is gone`);
      const { outcome, view } = await submitBrief(
        deps.briefs,
        {
          text: document.text,
          title: item.title ?? undefined,
          prompt: row.prompts[index]!,
          provider: row.provider,
          model: row.model,
          priority: 'background',
        },
        0,
      );
      entry.briefId = view.id;
      entry.cached = outcome === 'cached';
      entry.finished = outcome !== 'running';
      if (!entry.finished) unfinished++;
    }
  }
}

/** Marks the sent briefs that have finished (succeeded or failed) since the last step. */
async function readFinished(deps: EvalContext, plan: EvalPlan): Promise<void> {
  const waiting = plan.items
    .flatMap((item) => item.briefs)
    .filter((entry) => entry.briefId !== null && !entry.finished);
  if (waiting.length === 0) return;
  const rows = await deps.db
    .select({ id: briefs.id, status: briefs.status })
    .from(briefs)
    .where(
      inArray(
        briefs.id,
        waiting.map((entry) => entry.briefId!),
      ),
    );
  const finished = new Set(rows.filter((r) => r.status !== 'running').map((r) => r.id));
  for (const entry of waiting) if (finished.has(entry.briefId!)) entry.finished = true;
}

/** The report, as a run in the process builds it: every brief read back, scored against its document. */
async function report(deps: EvalContext, row: EvalRow, plan: EvalPlan): Promise<EvalReport> {
  const ids = plan.items.flatMap((item) => item.briefs.map((entry) => entry.briefId!));
  const views = new Map<string, BriefView>();
  const texts = new Map<string, string>();
  // D1 binds at most 100 parameters a query.
  for (let start = 0; start < ids.length; start += 90) {
    const rows = await deps.db
      .select({ row: briefs, title: documents.title })
      .from(briefs)
      .leftJoin(documents, eq(documents.id, briefs.documentId))
      .where(inArray(briefs.id, ids.slice(start, start + 90)));
    for (const { row: brief, title } of rows)
      views.set(brief.id, toBriefView(brief, title, false, deps.briefs.prices));
  }
  const documentIds = [...new Set(plan.items.map((item) => item.documentId))];
  for (let start = 0; start < documentIds.length; start += 90) {
    const rows = await deps.db
      .select({ id: documents.id, text: documents.text })
      .from(documents)
      .where(inArray(documents.id, documentIds.slice(start, start + 90)));
    for (const document of rows) texts.set(document.id, document.text);
  }
  return buildReport({
    id: row.id,
    corpus: row.corpus,
    prompts: row.prompts,
    provider: row.provider,
    model: row.model,
    createdAt: new Date(row.createdAt).toISOString(),
    wallMs: Date.now() - row.createdAt,
    documents: plan.items.map((item) => {
      const text = texts.get(item.documentId) ?? '';
      const itemViews = item.briefs.map((entry) => {
        const view = views.get(entry.briefId!);
        if (!view) throw new Error(`brief ${entry.briefId} of eval ${row.id} is gone`);
        return { view, cached: entry.cached };
      });
      return {
        id: item.id,
        title: item.title,
        documentId: item.documentId,
        divergence: mostDivergent(
          itemViews.map(({ view }) => view),
          text,
        ),
        versions: itemViews.map(({ view, cached }, index) =>
          versionResult(row.prompts[index]!, cached, view, text, item.summary ?? undefined),
        ),
      };
    }),
  });
}

async function finishEval(
  deps: EvalContext,
  id: string,
  outcome: { report: EvalReport; done: number } | { error: string },
): Promise<void> {
  await deps.db
    .update(evals)
    .set({
      ...('report' in outcome
        ? {
            status: 'succeeded',
            report: outcome.report as unknown as Record<string, unknown>,
            done: outcome.done,
          }
        : { status: 'failed', error: outcome.error }),
      holder: null,
      leaseUntil: null,
      finishedAt: Date.now(),
    })
    .where(and(eq(evals.id, id), eq(evals.status, 'running')));
}

/**
 * The cron trigger's sweep for evaluations: a running one whose lease lapsed (its step chain
 * broke) gets a new first step, up to `maxAttempts` times; then, or when it has no plan (it ran
 * in a request's `waitUntil`), it is marked interrupted. Returns the ids sent.
 */
export async function sweepEvals(
  deps: EvalContext,
  queue: WorkQueue,
  maxAttempts: number,
  limit = 10,
): Promise<string[]> {
  const now = Date.now();
  const lapsed = leaseLapsed(evals, now);
  const rows = await deps.db
    .select({
      id: evals.id,
      attempts: evals.attempts,
      planned: sql<number>`${evals.plan} is not null`,
    })
    .from(evals)
    .where(and(eq(evals.status, 'running'), lapsed))
    .limit(limit);
  const sent: string[] = [];
  for (const row of rows) {
    if (!row.planned || row.attempts >= maxAttempts) {
      await finishEval(deps, row.id, { error: INTERRUPTED });
      continue;
    }
    const [resumed] = await deps.db
      .update(evals)
      .set({
        holder: null,
        attempts: row.attempts + 1,
        leaseUntil: now + deps.config.BRIEF_LEASE_MS,
      })
      .where(and(eq(evals.id, row.id), eq(evals.status, 'running'), lapsed))
      .returning({ id: evals.id });
    if (!resumed) continue;
    await queue.send({ kind: 'eval', evalId: row.id });
    sent.push(row.id);
    deps.logger.info('eval resumed', { evalId: row.id, attempts: row.attempts + 1 });
  }
  return sent;
}
