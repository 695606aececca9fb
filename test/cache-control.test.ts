import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idle } from '../src/briefs/context.js';
import { BriefView } from '../src/briefs/view.js';
import { PRUNE_BATCH } from '../src/cache/prune.js';
import { Stats } from '../src/cache/stats.js';
import { ErrorBody } from '../src/errors.js';
import { createTestApp, policyDocument } from './support/app.js';
import { runParallax } from './support/cli.js';
import { serveApp } from './support/http.js';
import { useLlmApp } from './support/llm-app.js';

// Steering the caches over real HTTP, with the test LLM server counting the calls made:
// POST /v1/briefs?refresh=brief|calls, GET /v1/stats and POST /v1/cache/prune.

const ctx = useLlmApp();
let server: Awaited<ReturnType<typeof serveApp>>;
beforeAll(async () => {
  server = await serveApp(ctx.t.app.fetch);
});
afterAll(async () => {
  await server?.close();
});

const send = (text: string, query = '') =>
  fetch(`${server.url}/v1/briefs${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: text,
  });
const post = async (text: string, query = '') => {
  const response = await send(text, query);
  const view = BriefView.parse(await response.json());
  return { status: response.status, location: response.headers.get('location'), view };
};
const read = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    text: await response.text(),
  };
};
const stats = async () => Stats.parse(await (await fetch(`${server.url}/v1/stats`)).json());
const prune = (body: unknown) =>
  fetch(`${server.url}/v1/cache/prune`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const modelBrief = (headline: string) => ({
  headline,
  summary: 'The document describes a plan.',
  keyPoints: [],
  stakeholders: [],
  counterPerspectives: [],
});

describe('POST /v1/briefs?refresh=', () => {
  it('a plain repeat makes no call; refresh=brief makes a new brief from the call cache; refresh=calls makes every call anew and replaces the cached answers', async () => {
    const text = policyDocument(4, 'harbour');
    const first = await post(text);
    expect(first.status).toBe(201);
    expect(ctx.llm.calls.length).toBeGreaterThan(0);
    const before = await read(`/v1/briefs/${first.view.id}`);
    const entries = ctx.t.rows().llmCalls;

    ctx.llm.reset();
    const repeat = await post(text);
    expect(repeat).toMatchObject({ status: 200, view: { id: first.view.id, cached: true } });
    expect(ctx.llm.calls).toHaveLength(0);

    // refresh=brief: a new brief, made without a single LLM request (every call was cached).
    const refreshed = await post(text, '?refresh=brief');
    expect(refreshed.status).toBe(201);
    expect(refreshed.view.id).not.toBe(first.view.id);
    expect(refreshed.location).toBe(`/v1/briefs/${refreshed.view.id}`);
    expect(refreshed.view.usage).toMatchObject({ requests: 0 });
    expect(refreshed.view.usage!.cachedCalls).toBe(refreshed.view.usage!.calls);
    expect(ctx.llm.calls).toHaveLength(0);
    // The old brief is still there, byte for byte (it was sent as immutable); the new one is the cache's now.
    expect(await read(`/v1/briefs/${first.view.id}`)).toEqual(before);
    expect((await post(text)).view).toMatchObject({ id: refreshed.view.id, cached: true });
    const listed = JSON.parse((await read(`/v1/documents/${first.view.document.id}`)).text) as {
      briefs: { id: string }[];
    };
    expect(listed.briefs.map((brief) => brief.id).sort()).toEqual(
      [first.view.id, refreshed.view.id].sort(),
    );

    // refresh=calls: the model changed under the same name; every call is made again.
    ctx.llm.handler = () => modelBrief('What the new weights say');
    const recalled = await post(text, '?refresh=calls');
    expect(recalled.status).toBe(201);
    expect(new Set([first.view.id, refreshed.view.id, recalled.view.id]).size).toBe(3);
    expect(recalled.view.usage).toMatchObject({ cachedCalls: 0 });
    expect(ctx.llm.calls).toHaveLength(recalled.view.usage!.calls);
    expect(recalled.view.brief!.headline).toBe('What the new weights say');
    // …and their answers replaced the cached ones, rather than being added beside them:
    expect(ctx.t.rows().llmCalls).toBe(entries);
    ctx.llm.reset(); // the default fake model again, which would not say that
    const fromCache = await post(text, '?refresh=brief');
    expect(ctx.llm.calls).toHaveLength(0);
    expect(fromCache.view.brief!.headline).toBe('What the new weights say');
  });

  it('a refresh while the brief runs joins that run', async () => {
    ctx.llm.latencyMs = 800;
    const text = policyDocument(4, 'tram');
    const running = await post(text, '?wait=0');
    expect(running.status).toBe(202);
    const joined = await post(text, '?refresh=calls&wait=0');
    expect(joined.status).toBe(202);
    expect(joined.view.id).toBe(running.view.id);
    await idle(ctx.t.deps.briefs);
    expect(ctx.llm.calls).toHaveLength(1); // one brief of one chunk: one call, not two
    expect(JSON.parse((await read(`/v1/briefs/${running.view.id}`)).text)).toMatchObject({
      status: 'succeeded',
    });
  });

  it('refuses another refresh value with 400, writing nothing', async () => {
    const rows = ctx.t.rows();
    const response = await send(policyDocument(2, 'dams'), '?refresh=all');
    expect(response.status).toBe(400);
    const body = ErrorBody.parse(await response.json());
    expect(body.error).toMatchObject({ code: 'invalid_request' });
    expect(body.error.message).toContain('refresh');
    expect(ctx.t.rows()).toEqual(rows);
    expect(ctx.llm.calls).toHaveLength(0);
  });
});

describe('GET /v1/stats', () => {
  it('counts what a new brief and a failed one add', async () => {
    const before = await stats();
    await post(policyDocument(3, 'orchard'));
    const after = await stats();
    expect(after.documents).toBe(before.documents + 1);
    expect(after.briefs.succeeded).toBe(before.briefs.succeeded + 1);
    expect(after.briefs.failed).toBe(before.briefs.failed);
    expect(after.llmCalls.entries).toBe(before.llmCalls.entries + 1);
    expect(after.llmCalls.bytes).toBeGreaterThan(before.llmCalls.bytes);
    expect(after.database.bytes).toBeGreaterThanOrEqual(before.database.bytes!);
    expect(after.database.bytes).toBe(
      (ctx.t.sqlite.pragma('page_count', { simple: true }) as number) *
        (ctx.t.sqlite.pragma('page_size', { simple: true }) as number),
    );

    ctx.llm.enqueue({ status: 400, body: { error: { message: 'bad request' } } });
    expect((await send(policyDocument(3, 'vineyard'))).status).toBe(502);
    const failed = await stats();
    expect(failed.briefs.failed).toBe(after.briefs.failed + 1);
    expect(failed.llmCalls.entries).toBe(after.llmCalls.entries); // a failed call caches nothing
  });
});

describe('POST /v1/cache/prune', () => {
  it('removes only call-cache entries older than the cutoff, and every brief stays readable, byte for byte', async () => {
    const old = policyDocument(3, 'canal');
    const oldBrief = await post(old);
    // Everything so far is made two days old; one brief more is made now.
    ctx.t.sqlite.prepare('update llm_calls set created_at = created_at - 2 * 86400000').run();
    await post(policyDocument(3, 'lighthouse'));
    const before = await stats();
    const { items } = JSON.parse((await read('/v1/briefs?limit=100')).text) as {
      items: BriefView[];
    };
    const briefs = await Promise.all(items.map((item) => read(`/v1/briefs/${item.id}`)));

    const none = await prune({ olderThan: '3d' });
    expect(await none.json()).toMatchObject({ removed: { llmCalls: 0 } });

    const started = Date.now();
    const response = await prune({ olderThan: '1d' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { cutoff: string; removed: { llmCalls: number } };
    expect(result.removed.llmCalls).toBe(before.llmCalls.entries - 1);
    const cutoff = Date.parse(result.cutoff);
    expect(Math.abs(cutoff - (started - 86_400_000))).toBeLessThan(60_000);

    const after = await stats();
    expect(after.llmCalls.entries).toBe(1);
    expect(after.documents).toBe(before.documents);
    expect(after.briefs).toEqual(before.briefs);
    // Every brief, failed ones too, reads exactly as it did: same bytes, same ETag.
    for (const [i, item] of items.entries())
      expect(await read(`/v1/briefs/${item.id}`), item.status).toEqual(briefs[i]);

    // The brief cache still answers; only a run that needs a pruned call pays for it again.
    ctx.llm.reset();
    expect((await post(old)).view).toMatchObject({ id: oldBrief.view.id, cached: true });
    expect(ctx.llm.calls).toHaveLength(0);
    await post(old, '?refresh=brief');
    expect(ctx.llm.calls).toHaveLength(1);
  });

  it(`deletes any number of entries, ${PRUNE_BATCH} at a time`, async () => {
    const insert = ctx.t.sqlite.prepare(
      `insert into llm_calls (key, provider, model, stage, output, prompt_tokens, completion_tokens, created_at)
       values (?, 'openai', 'test-model', 'map', '{}', 1, 1, ?)`,
    );
    const count = PRUNE_BATCH * 2 + 34;
    const kept = ctx.t.rows().llmCalls;
    for (let i = 0; i < count; i++) insert.run(`old-${i}`, Date.now() - 10 * 86_400_000);
    const response = await prune({ olderThan: '1w' });
    expect(await response.json()).toMatchObject({ removed: { llmCalls: count } });
    expect(ctx.t.rows().llmCalls).toBe(kept);
  });

  it('refuses what is not { olderThan: "<n><s|m|h|d|w>" } with 400, removing nothing', async () => {
    const rows = ctx.t.rows();
    for (const body of [
      { olderThan: '30' },
      { olderThan: '30y' },
      { olderThan: '-1d' },
      { olderThan: 30 },
      {},
      { olderThan: '30d', everything: true },
      '{"olderThan":',
    ]) {
      const response = await prune(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(ErrorBody.parse(await response.json()).error.code).toBe('invalid_request');
    }
    expect((await prune({ olderThan: '0s' })).status).toBe(200);
    expect(ctx.t.rows().llmCalls).toBe(0);
    expect(ctx.t.rows().briefs).toBe(rows.briefs);
  });

  it('needs the token when API_TOKENS is set', async () => {
    const token = 'prune-test-token-0123456789';
    const t = await createTestApp({ LLM_PROVIDER: 'local', API_TOKENS: token });
    try {
      const request = (headers: Record<string, string>) =>
        t.app.request('/v1/cache/prune', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ olderThan: '30d' }),
        });
      expect((await request({})).status).toBe(401);
      expect((await request({ authorization: `Bearer ${token}` })).status).toBe(200);
      // Reading the figures needs none, as every read.
      expect((await t.app.request('/v1/stats')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('parallax cache (the CLI)', () => {
  it('prints the figures, prunes --older-than, and refuses a missing or malformed age with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parallax-cache-cli-'));
    const env = { DATABASE_PATH: join(dir, 'cli.sqlite'), LLM_PROVIDER: 'local' };
    try {
      const stats = await runParallax(['cache', 'stats', '--json'], { env });
      expect(stats.code, stats.stderr).toBe(0);
      expect(Stats.parse(JSON.parse(stats.stdout))).toMatchObject({ documents: 0 });
      // The CLI made and migrated the file; two old answers and a new one go into its call cache.
      const sqlite = new Database(env.DATABASE_PATH);
      const insert = sqlite.prepare(
        `insert into llm_calls (key, provider, model, stage, output, prompt_tokens, completion_tokens, created_at)
         values (?, 'local', 'analyst-3', 'map', '{}', 1, 1, ?)`,
      );
      insert.run('old-1', Date.now() - 40 * 86_400_000);
      insert.run('old-2', Date.now() - 31 * 86_400_000);
      insert.run('new', Date.now());
      sqlite.close();

      const pruned = await runParallax(['cache', 'prune', '--older-than', '30d'], { env });
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toMatch(/^removed 2 LLM-call cache entries written before \d{4}-/);
      for (const args of [
        ['cache', 'prune'],
        ['cache', 'prune', '--older-than', '30'],
        ['cache', 'vacuum'],
      ]) {
        const refused = await runParallax(args, { env });
        expect(refused.code, args.join(' ')).toBe(2);
        expect(refused.stderr).toContain('parallax cache');
      }
      const after = await runParallax(['cache', 'stats'], { env });
      expect(after.stdout).toContain('LLM calls     1 cached answers');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
