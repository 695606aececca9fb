import { Hono } from 'hono';
import { readStats, Stats } from '../cache/stats.js';
import type { ApiOperation } from '../openapi/operation.js';
import type { AppEnv } from './app-env.js';

export const statsRoutes = new Hono<AppEnv>().get('/', async (c) =>
  c.json((await readStats(c.get('deps').db)) satisfies Stats),
);

export const statsOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/v1/stats',
    operationId: 'getStats',
    tag: 'cache',
    summary: 'What the database holds: documents, briefs by status, the LLM-call cache, its size',
    responses: { 200: { description: 'The figures', content: { 'application/json': Stats } } },
    errors: [],
  },
];
