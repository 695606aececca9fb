import { desc, eq, lt, or, and } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { EvalDetail, EvalList, EvalSummary } from '../api/schemas.js';
import { evals, type EvalRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { evalMarkdown } from '../evals/markdown.js';
import type { EvalReport } from '../evals/run.js';
import { parseInput, type AppEnv } from './env.js';

const EVAL_ID = /^evl_[0-9a-f]{24}$/;

export const ListEvalsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.string().regex(EVAL_ID, 'before takes an eval id').optional().describe('The `nextBefore` of the previous page'),
});

/** `format=md`: the report as Markdown, the table `parallax eval` prints. */
export const EvalQuery = z.object({ format: z.enum(['json', 'md']).optional().describe('md: the report as Markdown') });

const summary = (row: EvalRow): EvalSummary => ({
  id: row.id,
  status: row.status,
  prompts: row.prompts,
  corpus: row.corpus,
  documents: row.documents,
  provider: row.provider,
  model: row.model,
  error: row.error,
  createdAt: new Date(row.createdAt).toISOString(),
  finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
});

/** Corpus evaluations run by `parallax eval`: newest first, and one with its full report. */
export const evalRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { db } = c.get('deps');
    const query = parseInput(ListEvalsQuery, c.req.query(), 'query');
    let where;
    if (query.before) {
      const [anchor] = await db.select().from(evals).where(eq(evals.id, query.before)).limit(1);
      if (!anchor) throw new AppError('invalid_request', `No eval ${query.before} to page from`);
      where = or(lt(evals.createdAt, anchor.createdAt), and(eq(evals.createdAt, anchor.createdAt), lt(evals.id, anchor.id)));
    }
    const rows = await db.select().from(evals).where(where).orderBy(desc(evals.createdAt), desc(evals.id)).limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    return c.json({ items: page.map(summary), nextBefore: rows.length > query.limit ? page.at(-1)!.id : null } satisfies EvalList);
  })
  .get('/:id', async (c) => {
    const id = c.req.param('id');
    const query = parseInput(EvalQuery, c.req.query(), 'query');
    if (!EVAL_ID.test(id)) throw new AppError('invalid_request', `"${id}" is not an eval id (evl_ followed by 24 hex digits)`);
    const [row] = await c.get('deps').db.select().from(evals).where(eq(evals.id, id)).limit(1);
    if (!row) throw new AppError('not_found', `No eval with id ${id}`);
    if (query.format === 'md') {
      if (!row.report) throw new AppError('not_found', `Eval ${id} has no report (${row.status})`);
      return c.text(evalMarkdown(row.report as unknown as EvalReport), 200, { 'content-type': 'text/markdown; charset=utf-8' });
    }
    return c.json({ ...summary(row), report: row.report } satisfies EvalDetail);
  });
