import { Hono } from 'hono';
import { z } from 'zod';
import { pingDatabase } from '../db/ping.js';
import type { ApiOperation } from '../openapi/operation.js';
import type { AppEnv } from './app-env.js';

export const Health = z
  .object({
    status: z.literal('ok'),
    provider: z.string().describe('The default LLM provider: openai or local'),
    model: z.string().describe("The default provider's default model"),
    providers: z
      .array(z.object({ name: z.string(), defaultModel: z.string() }))
      .describe(
        'Every provider a request may name (`provider`), the default first: the offline analyst (local) is always one',
      ),
    prompts: z.number().int().describe('Published prompt versions'),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { db, providers, prompts } = c.get('deps');
  await pingDatabase(db);
  return c.json({
    status: 'ok',
    provider: providers.default.name,
    model: providers.default.defaultModel,
    providers: providers.all.map(({ name, defaultModel }) => ({ name, defaultModel })),
    prompts: prompts.list().length,
  } satisfies Health);
});

export const healthOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'service',
    summary: 'Health: the database answers',
    responses: { 200: { description: 'Healthy', content: { 'application/json': Health } } },
    errors: ['internal'],
  },
];
