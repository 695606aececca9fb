import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Health } from '../api/schemas.js';
import type { AppEnv } from './env.js';

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { db, provider, prompts } = c.get('deps');
  await db.run(sql`select 1`);
  return c.json({ status: 'ok', provider: provider.name, model: provider.defaultModel, prompts: prompts.list().length } satisfies Health);
});
