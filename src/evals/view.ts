import { z } from 'zod';
import { EVAL_STATUSES, type EvalRow } from '../db/schema.js';

/** What the run was: ended by its process stopping, it reads as failed with this error. */
export const INTERRUPTED =
  'Interrupted: the process running it stopped. Run it again: the briefs it made are cached.';

/** One corpus evaluation as the API shows it, without its report. */
export const EvalSummary = z
  .object({
    id: z.string(),
    status: z.enum(EVAL_STATUSES),
    prompts: z.array(z.string()),
    corpus: z.string(),
    documents: z.number().int(),
    progress: z
      .object({ done: z.number().int(), total: z.number().int() })
      .describe('Briefs finished of documents × prompts'),
    provider: z.string(),
    model: z.string(),
    error: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'EvalSummary' });
export type EvalSummary = z.infer<typeof EvalSummary>;

/** One evaluation with its report. */
export const EvalDetail = EvalSummary.extend({
  // Stored as written by the run that made it, so older runs may have older shapes.
  report: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      'The report of `parallax eval` (EvalReport in src/evals/report.ts); null while running',
    ),
}).meta({ id: 'EvalDetail' });
export type EvalDetail = z.infer<typeof EvalDetail>;

/** A row's status as readers should see it: `running` with a lapsed lease means the run was interrupted. */
export function evalStatus(
  row: { status: EvalRow['status']; leaseUntil: number | null; error: string | null },
  now = Date.now(),
): { status: EvalRow['status']; error: string | null } {
  if (row.status === 'running' && row.leaseUntil !== null && row.leaseUntil < now)
    return { status: 'failed', error: INTERRUPTED };
  return { status: row.status, error: row.error };
}

export function toEvalSummary(row: EvalRow): EvalSummary {
  return {
    id: row.id,
    ...evalStatus(row),
    prompts: row.prompts,
    corpus: row.corpus,
    documents: row.documents,
    progress: { done: row.done, total: row.documents * row.prompts.length },
    provider: row.provider,
    model: row.model,
    createdAt: new Date(row.createdAt).toISOString(),
    finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
  };
}

export function toEvalDetail(row: EvalRow): EvalDetail {
  return { ...toEvalSummary(row), report: row.report };
}
