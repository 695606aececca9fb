import { Hono } from 'hono';
import { z } from 'zod';
import type { CompareRunning } from '../api/schemas.js';
import { compareQuery, type CompareQuery as CompareRequest } from '../compare/service.js';
import { parseInput, type AppEnv } from './env.js';

const BriefIds = z
  .string()
  .transform((value) => value.split(',').map((id) => id.trim()))
  .pipe(z.tuple([z.string().min(1), z.string().min(1)], { error: 'briefs takes two ids separated by a comma' }));

export const CompareQuery = z.union([
  z.strictObject({ briefs: BriefIds.describe('Two brief ids of one document, separated by a comma') }),
  z.strictObject({
    document: z.string().regex(/^[0-9a-f]{64}$/, 'a document id is 64 hex digits').describe('A document id, with a and b'),
    a: z.string().min(1).max(100).describe('The first prompt ref'),
    b: z.string().min(1).max(100).describe('The second prompt ref'),
    provider: z.string().min(1).max(50).optional().describe("Briefs made by this provider, openai or local (default: the server's; GET /healthz lists them)"),
    model: z.string().min(1).max(200).optional().describe("Briefs made with this model (default: the provider's)"),
    run: z.enum(['true', 'false']).optional().describe('true: brief a missing version first'),
    wait: z.coerce.number().min(0).max(600).optional().describe("With run=true: seconds to wait for the brief before answering 202 (default: the server's BRIEF_WAIT_SECONDS)"),
  }),
]);

export const compareRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const deps = c.get('deps');
  const query = parseInput(CompareQuery, c.req.query(), 'query (give briefs=<id>,<id> or document=<id>&a=<ref>&b=<ref>)');
  const request: CompareRequest =
    'briefs' in query
      ? { kind: 'briefs', ids: query.briefs }
      : {
          kind: 'refs',
          document: query.document,
          a: query.a,
          b: query.b,
          provider: query.provider,
          model: query.model,
          run: query.run === 'true',
          waitMs: (query.wait ?? deps.config.BRIEF_WAIT_SECONDS) * 1000,
        };
  const result = await compareQuery(deps, request);
  if (result.status === 'running') {
    c.header('Retry-After', '2');
    return c.json({ status: 'running', briefs: result.briefIds } satisfies CompareRunning, 202);
  }
  return c.json(result.comparison);
});
