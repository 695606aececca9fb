import { Hono } from 'hono';
import type { Prompt } from '../prompts/prompt.js';
import type { AppEnv } from './env.js';

function summary(prompt: Prompt, latest: boolean) {
  const { name, version, ref, description, params, sha256 } = prompt;
  return { ref, name, version, description, sha256, latest, params };
}

export const promptRoutes = new Hono<AppEnv>()
  .get('/', (c) => {
    const { prompts } = c.get('deps');
    return c.json({ items: prompts.list().map((prompt) => summary(prompt, prompts.resolve(prompt.name) === prompt)) });
  })
  .get('/:ref', (c) => {
    const { prompts } = c.get('deps');
    const prompt = prompts.resolve(c.req.param('ref'));
    return c.json({ ...summary(prompt, prompts.resolve(prompt.name) === prompt), templates: prompt.templates, source: prompt.source });
  });
