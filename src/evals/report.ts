import type { BriefView } from '../briefs/view.js';
import { compareBriefs } from '../compare/compare.js';
import { briefMetrics, round, type BriefMetrics } from '../compare/metrics.js';
import { firstWords, rouge, type RougeScores } from '../compare/rouge.js';

/**
 * The report of a corpus evaluation: each prompt version's result on each document, their
 * aggregate per version, and the documents the versions read most differently first. Pure:
 * src/evals/run.ts runs the briefs and stores what this builds.
 */

export interface VersionResult {
  ref: string;
  briefId: string;
  status: string;
  error: string | null;
  /** Answered from the brief cache without running anything. */
  cached: boolean;
  metrics: BriefMetrics | null;
  /** ROUGE F1 (×100) of the summary, cut at the reference's length, against the reference. */
  rougeVsReference: { rouge1: number; rouge2: number; rougeL: number } | null;
  /**
   * Estimated USD this run spent on the brief's calls: 0 for a brief from the brief cache, null
   * when the model's price is unknown (src/llm/prices.ts). A failed brief's calls count too.
   */
  costUsd: number | null;
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
    /** Estimated USD the run spent (every version's `costUsd`), at the prices of its end; null when unknown. */
    costUsd: number | null;
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

export interface AggregateRow {
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
  /** Estimated USD this run spent on the version's briefs; null when the price is unknown. */
  costUsd: number | null;
}

/** One version's result on one document: its metrics, and ROUGE against the reference if there is one. */
export function versionResult(
  ref: string,
  cached: boolean,
  view: BriefView,
  text: string,
  reference: string | undefined,
): VersionResult {
  return {
    ref,
    briefId: view.id,
    status: view.status,
    error: view.error?.message ?? null,
    cached,
    metrics: view.status === 'succeeded' ? briefMetrics(view, text) : null,
    rougeVsReference:
      reference && view.brief ? againstReference(view.brief.summary, reference) : null,
    costUsd: cached || !view.usage ? 0 : view.usage.cost.usd,
  };
}

/** How differently the first version and each other read one document: the largest divergence, or null. */
export function mostDivergent(views: BriefView[], text: string): number | null {
  const [first, ...others] = views;
  const divergences = others
    .filter((other) => first?.brief && other.brief)
    .map((other) => divergence(compareBriefs(first!, other, text)));
  return divergences.length ? round(Math.max(...divergences), 4) : null;
}

/** The whole report, documents sorted most divergent first. */
export function buildReport(
  run: Omit<EvalReport, 'run' | 'aggregate' | 'documents'> & {
    wallMs: number;
    documents: EvalReport['documents'];
  },
): EvalReport {
  const { wallMs, ...fields } = run;
  const documents = [...run.documents].sort((x, y) => (y.divergence ?? -1) - (x.divergence ?? -1));
  const results = documents.flatMap((d) => d.versions);
  return {
    ...fields,
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
      wallMs,
      failures: results.filter((r) => r.status !== 'succeeded').length,
      costUsd: totalCost(results),
    },
    aggregate: Object.fromEntries(
      run.prompts.map((ref) => [ref, aggregate(results.filter((r) => r.ref === ref))]),
    ),
    documents,
  };
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
    costUsd: totalCost(results),
    rougeVsReference: scored.length
      ? {
          rouge1: round(mean(scored.map((s) => s.rouge1)), 2),
          rouge2: round(mean(scored.map((s) => s.rouge2)), 2),
          rougeL: round(mean(scored.map((s) => s.rougeL)), 2),
        }
      : null,
  };
}

/** The results' costs added up, to a millionth of a dollar; null if any is unknown. */
function totalCost(results: VersionResult[]): number | null {
  const costs = results.map((r) => r.costUsd);
  if (costs.some((cost) => cost === null)) return null;
  return Math.round(sum(costs as number[]) * 1e6) / 1e6;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
