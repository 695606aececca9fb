import { Hono } from 'hono';
import { z } from 'zod';
import { getDocument } from '../documents/service.js';
import { parseInput, type AppEnv } from './env.js';

export const DocumentQuery = z.object({ include: z.enum(['text']).optional().describe('text: include the normalized text') });

export const documentRoutes = new Hono<AppEnv>().get('/:id', async (c) => {
  const query = parseInput(DocumentQuery, c.req.query(), 'query');
  return c.json(await getDocument(c.get('deps').db, c.req.param('id'), query.include === 'text'));
});
