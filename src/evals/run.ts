import { and, eq, lt } from 'drizzle-orm';
import { compareBriefs } from '../compare/compare.js';
import { briefMetrics, round, type BriefMetrics } from '../compare/metrics.js';
import { toBriefFailure } from '../briefs/run.js';
import { evals } from '../db/schema.js';
import { submitBrief } from '../briefs/submit.js';
import { INTERRUPTED, toEvalSummary, type EvalSummary } from './view.js';
import { AppError } from '../errors.js';
import { randomHex } from '../lib/hash.js';
import { renewLease } from '../lib/lease.js';
import type { Deps } from '../deps.js';
import { rouge, firstWords, type RougeScores } from '../compare/rouge.js';
import { normalizeText } from '../pipeline/normalize.js';
import { modelFor } from '../llm/select.js';
import type { Prompt } from '../prompts/prompt.js';
import type { CorpusDocument } from './corpus.js';

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

interface VersionResult {
  ref: string;
  briefId: string;
  status: string;
  error: string | null;
  /** Answered from the brief cache without running anything. */
  cached: boolean;
  metrics: BriefMetrics | null;
  /** ROUGE F1 (×100) of the summary, cut at the reference's length, against the reference. */
  rougeVsReference: { rouge1: number; rouge2: number; rougeL: number } | null;
}

export interface EvalReport {
  id: string;
  corpus: string;
  prompts: string[];
  provider: string;
  model: string;
  createdAt: string;
  run: {
    documents: number;
    briefs: number;
    llmCalls: number;
    cachedCalls: number;
    briefCacheHits: number;
    wallMs: number;
    failures: number;
  };
  aggregate: Record<string, AggregateRow>;
  documents: {
    id: string;
    title: string | null;
    documentId: string;
    /** 0–1: how differently the first version and the others read this document (see divergence()). */
    divergence: number | null;
    versions: VersionResult[];
  }[];
}

interface AggregateRow {
  briefs: number;
  failures: number;
  words: number;
  compressionRatio: number;
  citationsVerified: number;
  coverage: number;
  loadedRate: number;
  keyPoints: number;
  notes: number;
  notesByKind: Record<string, number>;
  llmCalls: number;
  cachedCalls: number;
  tokens: number;
  latencyMs: number;
  rougeVsReference: { rouge1: number; rouge2: number; rougeL: number } | null;
}

/** What an evaluation needs: the briefs it runs, where it stores itself, and its lease length. */
export type EvalContext = Pick<
  Deps,
  'db' | 'prompts' | 'providers' | 'briefs' | 'logger' | 'config'
>;

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
  // brief, brief@latest and brief@3 are one version: each is run once.
  const prompts = [...new Set(options.prompts.map((ref) => deps.prompts.resolve(ref)))];
  const provider = deps.providers.get(options.provider);
  const model = modelFor(provider, options.model);
  // A document that normalizes to nothing would fail the run halfway; refuse it before it starts.
  const empty = options.corpus.find((item) => normalizeText(item.document).length === 0);
  if (empty)
    throw new AppError(
      'invalid_request',
      `Corpus document "${empty.id}" is empty (no text after normalizing whitespace)`,
    );
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
          },
          3_600_000,
        );
        views.push(view);
        const summary = view.brief?.summary ?? '';
        versions.push({
          ref: prompt.ref,
          briefId: view.id,
          status: view.status,
          error: view.error?.message ?? null,
          cached: outcome === 'cached',
          metrics: view.status === 'succeeded' ? briefMetrics(view, text) : null,
          rougeVsReference:
            item.summary && view.brief ? againstReference(summary, item.summary) : null,
        });
        await deps.db.update(evals).set({ done: ++done }).where(eq(evals.id, id));
        options.onProgress?.(done, total, `${item.id} ${prompt.ref}`);
      }
      const [first, ...others] = views;
      const divergences = others
        .filter((other) => first?.brief && other.brief)
        .map((other) => divergence(compareBriefs(first!, other, text)));
      documents.push({
        id: item.id,
        title: item.title ?? null,
        documentId: views[0]!.document.id,
        divergence: divergences.length ? round(Math.max(...divergences), 4) : null,
        versions,
      });
    }
    documents.sort((x, y) => (y.divergence ?? -1) - (x.divergence ?? -1));

    const results = documents.flatMap((d) => d.versions);
    const report: EvalReport = {
      id,
      corpus: options.corpusLabel,
      prompts: prompts.map((p) => p.ref),
      provider: run.provider,
      model,
      createdAt: new Date(createdAt).toISOString(),
      run: {
        documents: documents.length,
        briefs: results.length,
        llmCalls: sum(
          results.map((r) =>
            r.cached ? 0 : (r.metrics?.calls ?? 0) - (r.metrics?.cachedCalls ?? 0),
          ),
        ),
        cachedCalls: sum(
          results.map((r) => (r.cached ? (r.metrics?.calls ?? 0) : (r.metrics?.cachedCalls ?? 0))),
        ),
        briefCacheHits: results.filter((r) => r.cached).length,
        wallMs: Math.round(performance.now() - started),
        failures: results.filter((r) => r.status !== 'succeeded').length,
      },
      aggregate: Object.fromEntries(
        prompts.map((p) => [p.ref, aggregate(results.filter((r) => r.ref === p.ref))]),
      ),
      documents,
    };
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

/**
 * How differently two versions read one document, 0 (same) to 1: the mean of
 * 1 − ROUGE-L F1 between the summaries and the share of key points and notes not kept.
 */
export function divergence(comparison: ReturnType<typeof compareBriefs>): number {
  const counts = [comparison.counts.keyPoints, comparison.counts.notes];
  const items = sum(counts.map((c) => c.kept + c.changed + c.added + c.dropped));
  const notKept = sum(counts.map((c) => c.changed + c.added + c.dropped));
  const itemsPart = items === 0 ? 0 : notKept / items;
  return (1 - comparison.rouge.rougeL.f1 + itemsPart) / 2;
}

/** ROUGE F1 ×100, both summaries cut at the reference's length in words (as the data README does). */
function againstReference(
  summary: string,
  reference: string,
): { rouge1: number; rouge2: number; rougeL: number } {
  const length = reference.split(/\s+/).filter(Boolean).length;
  const scores: RougeScores = rouge(firstWords(summary, length), reference);
  return {
    rouge1: round(scores.rouge1.f1 * 100, 2),
    rouge2: round(scores.rouge2.f1 * 100, 2),
    rougeL: round(scores.rougeL.f1 * 100, 2),
  };
}

function aggregate(results: VersionResult[]): AggregateRow {
  const ok = results.map((r) => r.metrics).filter((m): m is BriefMetrics => m !== null);
  const mean = (values: (number | null)[]) => {
    const present = values.filter((v): v is number => v !== null);
    return present.length ? round(sum(present) / present.length, 4) : 0;
  };
  const scored = results.map((r) => r.rougeVsReference).filter((s) => s !== null);
  const notesByKind: Record<string, number> = {};
  for (const m of ok)
    for (const [kind, n] of Object.entries(m.notesByKind))
      notesByKind[kind] = (notesByKind[kind] ?? 0) + n;
  return {
    briefs: results.length,
    failures: results.length - ok.length,
    words: mean(ok.map((m) => m.words)),
    compressionRatio: mean(ok.map((m) => m.compressionRatio)),
    citationsVerified: mean(ok.map((m) => m.citationsVerified)),
    coverage: mean(ok.map((m) => m.coverage)),
    loadedRate: mean(ok.map((m) => m.loadedRate)),
    keyPoints: mean(ok.map((m) => m.keyPoints)),
    notes: mean(ok.map((m) => m.notes)),
    notesByKind,
    llmCalls: sum(ok.map((m) => m.calls)),
    cachedCalls: sum(ok.map((m) => m.cachedCalls)),
    tokens: sum(ok.map((m) => m.tokens)),
    latencyMs: mean(ok.map((m) => m.latencyMs)),
    rougeVsReference: scored.length
      ? {
          rouge1: round(mean(scored.map((s) => s.rouge1)), 2),
          rouge2: round(mean(scored.map((s) => s.rouge2)), 2),
          rougeL: round(mean(scored.map((s) => s.rougeL)), 2),
        }
      : null,
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function newEvalId(): string {
  return `evl_${randomHex(12)}`;
}
