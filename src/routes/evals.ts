import { desc, eq, lt, or, and } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
import type { EvalDetail, EvalList, EvalSummary } from '../api/schemas.js';
import { evals, type EvalRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { evalMarkdown } from '../evals/markdown.js';
import { evalStatus, startEval, type EvalReport } from '../evals/run.js';
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
  ...evalStatus(row),
  prompts: row.prompts,
  corpus: row.corpus,
  documents: row.documents,
  progress: { done: row.done, total: row.documents * row.prompts.length },
  provider: row.provider,
  model: row.model,
  createdAt: new Date(row.createdAt).toISOString(),
  finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
});

/**
 * POST /v1/evals: the corpus travels with the request, as `parallax eval --server` sends it
 * (the documents as text, so a JSON body; MAX_DOCUMENT_BYTES bounds the whole corpus).
 */
export const CreateEvalBody = z.strictObject({
  prompts: z.array(z.string().trim().min(1).max(100)).min(1).max(10).describe('Prompt versions to run over every document (name@N)'),
  documents: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(200).describe('Its name in the report'),
        title: z.string().max(500).optional(),
        document: z.string().min(1).describe('The text: plain text or Markdown'),
        summary: z.string().optional().describe('A reference summary: the report scores each brief against it with ROUGE'),
      }),
    )
    .min(1)
    .max(10_000),
  corpus: z.string().max(500).optional().describe('Where the corpus came from, recorded with the run (default: "api")'),
  provider: z.string().trim().min(1).max(50).optional().describe("openai or local (default: the server's)"),
  model: z.string().trim().min(1).max(200).optional().describe("The model (default: the provider's)"),
});

/** Corpus evaluations: started with a corpus, listed newest first, and one with its progress and report. */
export const evalRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const deps = c.get('deps');
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('invalid_request', 'The body is not valid JSON (send { prompts, documents })');
    }
    const input = parseInput(CreateEvalBody, body, 'body');
    const { id, finished } = await startEval(deps, {
      corpus: input.documents,
      corpusLabel: input.corpus ?? 'api',
      prompts: input.prompts,
      provider: input.provider,
      model: input.model,
    });
    // The run goes on after the answer; its failure is stored in its row and logged (startEval).
    deps.background(finished.catch(() => undefined));
    const [row] = await deps.db.select().from(evals).where(eq(evals.id, id)).limit(1);
    c.header('Location', `/v1/evals/${id}`);
    return c.json(summary(row!) satisfies EvalSummary, 202);
  })
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
