import { Hono } from 'hono';
import { z } from 'zod';
import { Comparison } from '../compare/compare.js';
import { compareQuery, type CompareQuery as CompareRequest } from '../compare/compare-query.js';
import { retryAfterHeader, type ApiOperation } from '../openapi/operation.js';
import { parseInput, type AppEnv } from './app-env.js';
import { DocumentId, ModelName, PromptRef, ProviderName, WaitSeconds } from './fields.js';

const BriefIds = z
  .string()
  .transform((value) => value.split(',').map((id) => id.trim()))
  .pipe(
    z.tuple([z.string().min(1), z.string().min(1)], {
      error: 'briefs takes two ids separated by a comma',
    }),
  );

export const CompareQuery = z.union([
  z.strictObject({
    briefs: BriefIds.describe('Two brief ids of one document, separated by a comma'),
  }),
  z.strictObject({
    document: DocumentId.describe('A document id, with a and b'),
    a: PromptRef.describe('The first prompt ref'),
    b: PromptRef.describe('The second prompt ref'),
    provider: ProviderName.optional().describe(
      "Briefs made by this provider, openai or local (default: the server's; GET /healthz lists them)",
    ),
    model: ModelName.optional().describe("Briefs made with this model (default: the provider's)"),
    run: z.enum(['true', 'false']).optional().describe('true: brief a missing version first'),
    wait: WaitSeconds.optional().describe(
      "With run=true: seconds to wait for the brief before answering 202 (default: the server's BRIEF_WAIT_SECONDS)",
    ),
  }),
]);

export const CompareRunning = z
  .object({
    status: z.literal('running'),
    briefs: z.array(z.string()).describe('The two brief ids; ask again, or follow their events'),
  })
  .meta({ id: 'CompareRunning' });
export type CompareRunning = z.infer<typeof CompareRunning>;

export const compareRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const deps = c.get('deps');
  const query = parseInput(
    CompareQuery,
    c.req.query(),
    'query (give briefs=<id>,<id> or document=<id>&a=<ref>&b=<ref>)',
  );
  const request: CompareRequest =
    'briefs' in query
      ? { kind: 'briefs', ids: query.briefs }
      : {
          ...query,
          kind: 'refs',
          run: query.run === 'true',
          waitMs: (query.wait ?? deps.config.BRIEF_WAIT_SECONDS) * 1000,
        };
  const result = await compareQuery(deps, request);
  if (result.status === 'running') {
    c.header('Retry-After', '2');
    return c.json({ status: 'running', briefs: result.briefIds } satisfies CompareRunning, 202);
  }
  return c.json(result.comparison satisfies Comparison);
});

export const compareOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/v1/compare',
    operationId: 'compareBriefs',
    tag: 'compare',
    summary: 'Compare two briefs of one document',
    description:
      'Name the briefs (`briefs=<id>,<id>`) or a document and two prompt refs (`document`, `a`, `b`, optionally `model`). ' +
      'With `run=true` a missing version is briefed first; one still running after `wait` seconds is answered 202. ' +
      '`run=true` spends LLM calls, so a server with API_TOKENS asks for `Authorization: Bearer` then (401 without it).',
    query: CompareQuery,
    responses: {
      200: { description: 'The comparison', content: { 'application/json': Comparison } },
      202: {
        description: 'A brief is still running',
        content: { 'application/json': CompareRunning },
        headers: retryAfterHeader,
      },
    },
    errors: [
      'invalid_request',
      'unauthorized',
      'not_found',
      'unknown_prompt',
      'llm_invalid_output',
      'llm_unavailable',
      'llm_unauthorized',
    ],
  },
];
