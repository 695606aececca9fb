import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Health } from '../api/schemas.js';
import type { AppEnv } from './env.js';

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { db, providers, prompts } = c.get('deps');
  await db.run(sql`select 1`);
  return c.json({
    status: 'ok',
    provider: providers.default.name,
    model: providers.default.defaultModel,
    providers: providers.all.map(({ name, defaultModel }) => ({ name, defaultModel })),
    prompts: prompts.list().length,
  } satisfies Health);
});
