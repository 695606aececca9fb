import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { afterCursor, newestFirst, pageOf } from '../db/pagination.js';
import { evals, type EvalRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { toEvalSummary, type EvalSummary } from './view.js';

/** `evl_` and 24 hex digits. */
export const EVAL_ID = /^evl_[0-9a-f]{24}$/;

/** Evaluations, newest first, a page at a time. */
export async function listEvals(
  { db }: { db: Database },
  query: { limit: number; cursor?: string | undefined },
): Promise<{ items: EvalSummary[]; nextCursor: string | null }> {
  const rows = await db
    .select()
    .from(evals)
    .where(and(afterCursor(evals, query.cursor, EVAL_ID)))
    .orderBy(...newestFirst(evals))
    .limit(query.limit + 1);
  const { page, nextCursor } = pageOf(rows, query.limit);
  return { items: page.map(toEvalSummary), nextCursor };
}

/** One evaluation's row. @throws AppError 400 for a malformed id, 404 for an unknown one. */
export async function getEval({ db }: { db: Database }, id: string): Promise<EvalRow> {
  if (!EVAL_ID.test(id))
    throw new AppError(
      'invalid_request',
      `"${id}" is not an eval id (evl_ followed by 24 hex digits)`,
    );
  const [row] = await db.select().from(evals).where(eq(evals.id, id)).limit(1);
  if (!row) throw new AppError('not_found', `No eval with id ${id}`);
  return row;
}
