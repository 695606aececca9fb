import { Hono } from 'hono';
import { z } from 'zod';
import { pruneCallCache } from '../cache/prune.js';
import { Duration } from '../lib/duration.js';
import type { ApiOperation } from '../openapi/operation.js';
import { parseInput, readJson, type AppEnv } from './app-env.js';

export const PruneBody = z.strictObject({
  olderThan: Duration.describe(
    'Remove LLM-call cache entries written longer ago than this: a whole number and a unit, s, m, h, d or w (30d, 12h; 0s is all of them)',
  ),
});

export const PruneResult = z
  .object({
    cutoff: z.string().describe('Entries written before this time were removed'),
    removed: z.object({ llmCalls: z.number().int().min(0).describe('LLM-call cache entries') }),
  })
  .meta({ id: 'PruneResult' });
export type PruneResult = z.infer<typeof PruneResult>;

export const cacheRoutes = new Hono<AppEnv>().post('/prune', async (c) => {
  const { olderThan } = parseInput(
    PruneBody,
    await readJson(c.req, ' (send { "olderThan": "30d" })'),
    'body',
  );
  const cutoff = Date.now() - olderThan;
  const llmCalls = await pruneCallCache(c.get('deps').db, cutoff);
  c.get('deps').logger.info('cache pruned', { cutoff, llmCalls });
  return c.json({
    cutoff: new Date(cutoff).toISOString(),
    removed: { llmCalls },
  } satisfies PruneResult);
});

export const cacheOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/cache/prune',
    operationId: 'pruneCache',
    tag: 'cache',
    write: true,
    summary: 'Remove old LLM-call cache entries',
    description:
      'Deletes the LLM-call cache entries written before the cutoff. Every stored brief, perspectives run and evaluation stays readable: ' +
      'they keep their own results, and nothing but a new run reads the call cache (a run that needs a pruned call makes it again). ' +
      'Briefs, failed ones too, and documents are never removed.',
    body: {
      description: 'How old an entry must be to go',
      content: { 'application/json': PruneBody },
    },
    responses: {
      200: { description: 'Pruned', content: { 'application/json': PruneResult } },
    },
    errors: ['invalid_request'],
  },
];
