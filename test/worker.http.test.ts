import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { Stats } from '../src/cache/stats.js';
import { startLocalWorker, workerdUnavailable, type LocalWorker } from './support/wrangler.js';

// ETags, CORS and the cache routes on the Worker (wrangler dev, local D1): the same app as
// Node's, with its headers set through hono's Context rather than Node's ServerResponse, and D1
// under /v1/stats and /v1/cache/prune. Skipped only when workerd cannot run here.

const unavailable = workerdUnavailable();
if (unavailable)
  console.warn(`worker.http.test.ts skipped: workerd cannot run on this machine (${unavailable})`);

const ORIGIN = 'https://app.example';

describe.skipIf(unavailable !== null)('HTTP caching and CORS on the Worker', () => {
  let worker: LocalWorker;
  beforeAll(async () => {
    worker = await startLocalWorker({ startupMs: 150_000, vars: { CORS_ORIGINS: ORIGIN } });
  }, 180_000);
  afterAll(async () => {
    await worker?.close();
  }, 30_000);

  it('tags a succeeded brief, answers 304, and lets an allowed origin read it', async () => {
    const posted = await fetch(`${worker.url}/v1/briefs`, {
      method: 'POST',
      headers: { 'content-type': 'text/markdown', origin: ORIGIN },
      body: readFileSync('seeds/rail-link-op-ed.md', 'utf8'),
    });
    expect(posted.status, worker.output()).toBe(201);
    expect(posted.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const { id } = BriefView.parse(await posted.json());
    const read = await fetch(`${worker.url}/v1/briefs/${id}`);
    expect(read.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = read.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await fetch(`${worker.url}/v1/briefs/${id}`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);

    const preflight = await fetch(`${worker.url}/v1/briefs`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const refused = await fetch(`${worker.url}/v1/briefs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('counts and prunes on D1', async () => {
    const stats = Stats.parse(await (await fetch(`${worker.url}/v1/stats`)).json());
    expect(stats.briefs.succeeded).toBeGreaterThan(0);
    expect(stats.llmCalls.entries).toBeGreaterThan(0);
    // D1 refuses PRAGMA; the size is the one its query results report, free pages unknown.
    expect(stats.database.bytes).toBeGreaterThan(0);
    expect(stats.database.freeBytes).toBeNull();
    const pruned = await fetch(`${worker.url}/v1/cache/prune`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ olderThan: '0s' }),
    });
    expect(pruned.status, worker.output()).toBe(200);
    expect(await pruned.json()).toMatchObject({ removed: { llmCalls: stats.llmCalls.entries } });
  });
});
