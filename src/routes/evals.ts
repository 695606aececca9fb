import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { evalMarkdown } from '../evals/markdown.js';
import { getEval, listEvals } from '../evals/queries.js';
import type { EvalReport } from '../evals/report.js';
import { submitEval } from '../evals/run.js';
import { EvalDetail, EvalSummary, toEvalDetail } from '../evals/view.js';
import { textBody, type ApiOperation } from '../openapi/operation.js';
import { parseInput, readJson, type AppEnv } from './app-env.js';
import { Cursor, ModelName, PageLimit, PromptRef, ProviderName, Title } from './fields.js';

export const ListEvalsQuery = z.object({ limit: PageLimit, cursor: Cursor.optional() });

/** `format=md`: the report as Markdown, the table `parallax eval` prints. */
export const EvalQuery = z.object({
  format: z.enum(['json', 'md']).optional().describe('md: the report as Markdown'),
});

/**
 * POST /v1/evals: the corpus travels with the request, as `parallax eval --server` sends it
 * (the documents as text, so a JSON body; MAX_DOCUMENT_BYTES bounds the whole corpus).
 */
export const CreateEvalBody = z.strictObject({
  prompts: z
    .array(PromptRef)
    .min(1)
    .max(10)
    .describe('Prompt versions to run over every document (name@N); each version runs once'),
  documents: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(200).describe('Its name in the report'),
        title: Title.optional().describe("The document's title, shown in the report"),
        document: z.string().min(1).describe('The text: plain text or Markdown'),
        summary: z
          .string()
          .optional()
          .describe('A reference summary: the report scores each brief against it with ROUGE'),
      }),
    )
    .min(1)
    .max(10_000),
  corpus: z
    .string()
    .max(500)
    .optional()
    .describe('Where the corpus came from, recorded with the run (default: "api")'),
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});

export const EvalList = z
  .object({
    items: z.array(EvalSummary),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'EvalList' });
export type EvalList = z.infer<typeof EvalList>;

/** Corpus evaluations: started with a corpus, listed newest first, and one with its progress and report. */
export const evalRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const deps = c.get('deps');
    const input = parseInput(
      CreateEvalBody,
      await readJson(c.req, ' (send { prompts, documents })'),
      'body',
    );
    const { prompts, documents, provider, model } = input;
    const summary = await submitEval(deps, {
      prompts,
      corpus: documents,
      corpusLabel: input.corpus ?? 'api',
      provider,
      model,
    });
    c.header('Location', `/v1/evals/${summary.id}`);
    return c.json(summary satisfies EvalSummary, 202);
  })
  .get('/', async (c) => {
    const query = parseInput(ListEvalsQuery, c.req.query(), 'query');
    return c.json((await listEvals(c.get('deps'), query)) satisfies EvalList);
  })
  .get('/:id', async (c) => {
    const query = parseInput(EvalQuery, c.req.query(), 'query');
    const row = await getEval(c.get('deps'), c.req.param('id'));
    if (query.format === 'md') {
      if (!row.report)
        throw new AppError('not_found', `Eval ${row.id} has no report (${row.status})`);
      return c.text(evalMarkdown(row.report as unknown as EvalReport), 200, {
        'content-type': 'text/markdown; charset=utf-8',
      });
    }
    return c.json(toEvalDetail(row) satisfies EvalDetail);
  });

export const evalOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/evals',
    operationId: 'createEval',
    tag: 'evals',
    write: true,
    summary: 'Run prompt versions over a corpus',
    description:
      'Briefs every document with every prompt version (through both caches: a rerun is instant), then scores the briefs. ' +
      'Answers 202 at once; follow the run at `Location`, whose `progress` counts finished briefs, until `status` is succeeded or failed.',
    body: {
      description: 'The corpus and what to run over it',
      content: { 'application/json': CreateEvalBody },
    },
    responses: {
      202: {
        description: 'Started',
        content: { 'application/json': EvalSummary },
        headers: { Location: 'The evaluation: /v1/evals/{id}' },
      },
    },
    errors: ['invalid_request', 'unknown_prompt'],
  },
  {
    method: 'get',
    path: '/v1/evals',
    operationId: 'listEvals',
    tag: 'evals',
    summary: 'Corpus evaluations, newest first',
    query: ListEvalsQuery,
    responses: { 200: { description: 'One page', content: { 'application/json': EvalList } } },
    errors: ['invalid_request'],
  },
  {
    method: 'get',
    path: '/v1/evals/{id}',
    operationId: 'getEval',
    tag: 'evals',
    summary: 'One evaluation with its report',
    pathParams: { id: 'An eval id: evl_ and 24 hex digits' },
    query: EvalQuery,
    responses: {
      200: {
        description: 'The evaluation; with `format=md` its report as Markdown',
        content: { 'application/json': EvalDetail, 'text/markdown': textBody },
      },
    },
    errors: ['invalid_request', 'not_found'],
  },
];
