import { and, eq, lt } from 'drizzle-orm';
import { toBriefFailure } from '../briefs/run.js';
import { evals } from '../db/schema.js';
import { submitBrief } from '../briefs/submit.js';
import { INTERRUPTED, toEvalSummary, type EvalSummary } from './view.js';
import { AppError } from '../errors.js';
import { randomHex } from '../lib/hash.js';
import { renewLease } from '../lib/lease.js';
import type { Deps } from '../deps.js';
import { normalizeText } from '../pipeline/normalize.js';
import { modelFor } from '../llm/select.js';
import type { Provider } from '../llm/provider.js';
import type { Prompt } from '../prompts/prompt.js';
import type { CorpusDocument } from './corpus.js';
import { queueEval } from './queue.js';
import {
  buildReport,
  mostDivergent,
  versionResult,
  type EvalReport,
  type VersionResult,
} from './report.js';

export interface EvalOptions {
  corpus: CorpusDocument[];
  /** Where the corpus came from, recorded with the run. */
  corpusLabel: string;
  prompts: string[];
  /** A provider of this deployment by name; the default when absent. */
  provider?: string | undefined;
  model?: string | undefined;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** What an evaluation needs: the briefs it runs, where it stores itself, and its lease length. */
export type EvalContext = Pick<
  Deps,
  'db' | 'prompts' | 'providers' | 'briefs' | 'logger' | 'config'
>;

/**
 * Starts an evaluation for POST /v1/evals and returns its summary: on a Worker with a work
 * queue, its briefs go through the queue (src/evals/queue.ts); elsewhere it runs in this
 * process, kept alive by `background`.
 */
export async function submitEval(
  deps: EvalContext & Pick<Deps, 'background'>,
  options: EvalOptions,
): Promise<EvalSummary> {
  if (deps.briefs.queue) return queueEval(deps, deps.briefs.queue, options);
  const { summary, finished } = await startEval(deps, options);
  // The run goes on after the answer; its failure is stored in its row and logged (startEval).
  deps.background(finished.catch(() => undefined));
  return summary;
}

/** Runs an evaluation to its end (see startEval). */
export async function runEval(deps: EvalContext, options: EvalOptions): Promise<EvalReport> {
  return (await startEval(deps, options)).finished;
}

/**
 * Starts an evaluation: checks the prompt versions and provider (an unknown one throws before
 * anything is stored), stores the run as `running`, and returns its id with the promise of its
 * report. The run briefs every prompt version over every corpus document through the normal
 * brief path (so both caches apply and a rerun is instant), counts finished briefs in the row
 * (`done`) as it goes, scores each brief, and stores the report, or the error that stopped it.
 */
export async function startEval(
  deps: EvalContext,
  options: EvalOptions,
): Promise<{ summary: EvalSummary; finished: Promise<EvalReport> }> {
  const { prompts, provider, model } = checkEval(deps, options);
  const id = newEvalId();
  const createdAt = Date.now();
  const [row] = await deps.db
    .insert(evals)
    .values({
      id,
      prompts: prompts.map((p) => p.ref),
      corpus: options.corpusLabel,
      documents: options.corpus.length,
      provider: provider.name,
      model,
      status: 'running',
      leaseUntil: createdAt + deps.config.BRIEF_LEASE_MS,
      createdAt,
    })
    .returning();
  // The lease says the run is alive; a reader of a row whose lease lapsed knows it was interrupted (evalStatus).
  const stopRenewing = renewLease(deps.config.BRIEF_LEASE_MS, (until) =>
    deps.db
      .update(evals)
      .set({ leaseUntil: until })
      .where(and(eq(evals.id, id), eq(evals.status, 'running'))),
  );
  const finished = execute(deps, options, {
    id,
    createdAt,
    prompts,
    provider: provider.name,
    model,
  }).finally(stopRenewing);
  return { summary: toEvalSummary(row!), finished };
}

/**
 * What an evaluation runs, checked before anything is stored: its distinct prompt versions,
 * provider and model. @throws AppError for an unknown prompt or provider, an empty document, or
 * more briefs than MAX_EVAL_BRIEFS.
 */
export function checkEval(
  deps: Pick<EvalContext, 'prompts' | 'providers' | 'config'>,
  options: EvalOptions,
): { prompts: Prompt[]; provider: Provider; model: string } {
  // brief, brief@latest and brief@3 are one version: each is run once.
  const prompts = [...new Set(options.prompts.map((ref) => deps.prompts.resolve(ref)))];
  const provider = deps.providers.get(options.provider);
  const model = modelFor(provider, options.model);
  const briefs = options.corpus.length * prompts.length;
  if (briefs > deps.config.MAX_EVAL_BRIEFS)
    throw new AppError(
      'payload_too_large',
      `This evaluation would run ${briefs} briefs (${options.corpus.length} documents × ${prompts.length} prompt versions), more than the ${deps.config.MAX_EVAL_BRIEFS} one evaluation may (MAX_EVAL_BRIEFS)`,
    );
  // A document that normalizes to nothing would fail the run halfway; refuse it before it starts.
  const empty = options.corpus.find((item) => normalizeText(item.document).length === 0);
  if (empty)
    throw new AppError(
      'invalid_request',
      `Corpus document "${empty.id}" is empty (no text after normalizing whitespace)`,
    );
  return { prompts, provider, model };
}

/** Marks runs whose process stopped (lease lapsed) as failed; the Node entry point sweeps now and then. */
export async function failInterruptedEvals(deps: Pick<Deps, 'db'>): Promise<void> {
  await deps.db
    .update(evals)
    .set({ status: 'failed', error: INTERRUPTED, leaseUntil: null, finishedAt: Date.now() })
    .where(and(eq(evals.status, 'running'), lt(evals.leaseUntil, Date.now())));
}

async function execute(
  deps: EvalContext,
  options: EvalOptions,
  run: { id: string; createdAt: number; prompts: Prompt[]; provider: string; model: string },
): Promise<EvalReport> {
  const { id, createdAt, prompts, model } = run;
  try {
    const started = performance.now();
    const total = options.corpus.length * prompts.length;
    let done = 0;
    const documents: EvalReport['documents'] = [];
    for (const item of options.corpus) {
      const text = normalizeText(item.document);
      const versions: VersionResult[] = [];
      const views = [];
      for (const prompt of prompts) {
        const { outcome, view } = await submitBrief(
          deps.briefs,
          {
            text,
            title: item.title,
            prompt: prompt.ref,
            provider: run.provider,
            model: options.model,
            // Users' own briefs and perspectives take the LLM slots first.
            priority: 'background',
          },
          3_600_000,
        );
        views.push(view);
        versions.push(versionResult(prompt.ref, outcome === 'cached', view, text, item.summary));
        await deps.db.update(evals).set({ done: ++done }).where(eq(evals.id, id));
        options.onProgress?.(done, total, `${item.id} ${prompt.ref}`);
      }
      documents.push({
        id: item.id,
        title: item.title ?? null,
        documentId: views[0]!.document.id,
        divergence: mostDivergent(views, text),
        versions,
      });
    }

    const report = buildReport({
      id,
      corpus: options.corpusLabel,
      prompts: prompts.map((p) => p.ref),
      provider: run.provider,
      model,
      createdAt: new Date(createdAt).toISOString(),
      wallMs: Math.round(performance.now() - started),
      documents,
    });
    await deps.db
      .update(evals)
      .set({
        status: 'succeeded',
        report: report as unknown as Record<string, unknown>,
        leaseUntil: null,
        finishedAt: Date.now(),
      })
      .where(eq(evals.id, id));
    return report;
  } catch (error) {
    // Readers see the message of an expected failure; anything else is logged, not shown (it may quote a query).
    const failure = toBriefFailure(error);
    if (failure.code === 'internal')
      deps.logger.error('eval failed', {
        evalId: id,
        error: error instanceof Error ? error.stack : String(error),
      });
    await deps.db
      .update(evals)
      .set({
        status: 'failed',
        error:
          failure.code === 'internal'
            ? 'The evaluation failed because of an internal error'
            : failure.message,
        leaseUntil: null,
        finishedAt: Date.now(),
      })
      .where(eq(evals.id, id))
      .catch(() => undefined); // the database may be gone (shutdown): the lapsed lease then tells
    throw error;
  }
}

export function newEvalId(): string {
  return `evl_${randomHex(12)}`;
}
