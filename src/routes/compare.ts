import { Hono } from 'hono';
import { z } from 'zod';
import { compareQuery, type CompareQuery } from '../compare/service.js';
import { parseInput, type AppEnv } from './env.js';

const BriefIds = z
  .string()
  .transform((value) => value.split(',').map((id) => id.trim()))
  .pipe(z.tuple([z.string().min(1), z.string().min(1)], { error: 'briefs takes two ids separated by a comma' }));

const Query = z.union([
  z.strictObject({ briefs: BriefIds }),
  z.strictObject({
    document: z.string().regex(/^[0-9a-f]{64}$/, 'a document id is 64 hex digits'),
    a: z.string().min(1).max(100),
    b: z.string().min(1).max(100),
    model: z.string().min(1).max(200).optional(),
    run: z.enum(['true', 'false']).optional(),
    wait: z.coerce.number().min(0).max(600).optional(),
  }),
]);

export const compareRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const deps = c.get('deps');
  const query = parseInput(Query, c.req.query(), 'query (give briefs=<id>,<id> or document=<id>&a=<ref>&b=<ref>)');
  const request: CompareQuery =
    'briefs' in query
      ? { kind: 'briefs', ids: query.briefs }
      : {
          kind: 'refs',
          document: query.document,
          a: query.a,
          b: query.b,
          model: query.model,
          run: query.run === 'true',
          waitMs: (query.wait ?? deps.config.BRIEF_WAIT_SECONDS) * 1000,
        };
  const result = await compareQuery(deps, request);
  if (result.status === 'running') {
    c.header('Retry-After', '2');
    return c.json({ status: 'running', briefs: result.briefIds }, 202);
  }
  return c.json(result.comparison);
});
