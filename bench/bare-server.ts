/**
 * The baseline for cached_read_ratio and cached_post_ratio: a bare Hono app on the same
 * @hono/node-server, answering GET and POST with the same JSON from memory (POST reads its
 * body first, as any handler must). Started as a child process by bench/http-ratio.ts.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readFileSync } from 'node:fs';

const body: unknown = JSON.parse(readFileSync(process.env.BARE_JSON_PATH!, 'utf8'));
const app = new Hono()
  .get('/brief', (c) => c.json(body))
  .post('/brief', async (c) => {
    await c.req.text();
    return c.json(body);
  });

serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  console.log(`bare server on http://127.0.0.1:${info.port}`),
);
