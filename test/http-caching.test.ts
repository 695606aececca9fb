import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idle } from '../src/briefs/context.js';
import { BriefView } from '../src/briefs/view.js';
import { ifNoneMatchMatches } from '../src/lib/etag.js';
import { policyDocument } from './support/app.js';
import { serveApp } from './support/http.js';
import { useLlmApp } from './support/llm-app.js';

// ETags, If-None-Match and Cache-Control over a real socket: on Node the headers are written
// onto the ServerResponse (src/routes/send-cached.ts), a path app.request does not take.

const ctx = useLlmApp();
let server: Awaited<ReturnType<typeof serveApp>>;
beforeAll(async () => {
  server = await serveApp(ctx.t.app.fetch);
});
afterAll(async () => {
  await server?.close();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${server.url}${path}`, { method, headers });
const send = (text: string, query = '') =>
  fetch(`${server.url}/v1/briefs${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: text,
  });
const post = async (text: string, query = '') => {
  const response = await send(text, query);
  return { status: response.status, view: BriefView.parse(await response.json()) };
};
const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('GET /v1/briefs/:id', () => {
  it('tags a succeeded brief with the sha256 of its bytes, caches it for a year, and answers a matching If-None-Match with 304', async () => {
    const { view } = await post(policyDocument(3, 'water'));
    expect(view.status).toBe('succeeded');
    const first = await get(`/v1/briefs/${view.id}`);
    expect(first.status).toBe(200);
    const bytes = new Uint8Array(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`);
    expect(first.headers.get('cache-control')).toBe(IMMUTABLE);

    // The same tag every time (strong: equal bytes), and a 304 with no body for each form of a match.
    const again = await get(`/v1/briefs/${view.id}`);
    expect(again.headers.get('etag')).toBe(etag);
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const response = await get(`/v1/briefs/${view.id}`, { 'if-none-match': header });
      expect(response.status, header).toBe(304);
      expect(await response.text()).toBe('');
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
      expect(response.headers.get('x-request-id')).toBeTruthy(); // the usual headers still go out
    }
    const head = await get(`/v1/briefs/${view.id}`, { 'if-none-match': etag }, 'HEAD');
    expect(head.status).toBe(304);

    // A tag of some other representation gets the whole brief.
    const stale = await get(`/v1/briefs/${view.id}`, { 'if-none-match': `"${'0'.repeat(64)}"` });
    expect(stale.status).toBe(200);
    expect(new Uint8Array(await stale.arrayBuffer())).toEqual(bytes);
  });

  it('is private to a request that carried Authorization', async () => {
    const { view } = await post(policyDocument(3, 'energy'));
    const response = await get(`/v1/briefs/${view.id}`, { authorization: 'Bearer some-token' });
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
  });

  it('sends no-store while a brief runs and once it failed, and the immutable header only once it succeeded', async () => {
    ctx.llm.latencyMs = 1_500;
    const running = await post(policyDocument(3, 'ports'), '?wait=0');
    expect(running.status).toBe(202);
    const during = await get(`/v1/briefs/${running.view.id}`);
    expect(BriefView.parse(await during.json()).status).toBe('running');
    expect(during.headers.get('cache-control')).toBe('no-store');
    expect(during.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    await idle(ctx.t.deps.briefs);
    const after = await get(`/v1/briefs/${running.view.id}`);
    expect(BriefView.parse(await after.json()).status).toBe('succeeded');
    expect(after.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(after.headers.get('etag')).not.toBe(during.headers.get('etag'));

    ctx.llm.latencyMs = 0;
    ctx.llm.enqueue({ status: 400, body: { error: { message: 'bad request' } } });
    const failed = await send(policyDocument(3, 'rail'));
    expect(failed.status).toBe(502);
    const { briefId } = ((await failed.json()) as { error: { details: { briefId: string } } }).error
      .details;
    const response = await get(`/v1/briefs/${briefId}`);
    expect(BriefView.parse(await response.json()).status).toBe('failed');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('documents and prompt versions', () => {
  it('revalidates a document: 304 while unchanged, a new tag once it has another brief', async () => {
    const text = policyDocument(3, 'schools');
    const { view } = await post(text, '?prompt=brief@1');
    const path = `/v1/documents/${view.document.id}`;
    const first = await get(path);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    expect((await get(path, { 'if-none-match': etag })).status).toBe(304);
    // ?include=text is another representation, with its own tag.
    const withText = await get(`${path}?include=text`);
    expect(withText.headers.get('etag')).not.toBe(etag);

    await post(text, '?prompt=brief@2');
    const changed = await get(path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { briefs: unknown[] }).briefs).toHaveLength(2);
    expect(changed.headers.get('etag')).not.toBe(etag);

    for (const route of [`${path}/related`, '/v1/documents?q=schools']) {
      const response = await get(route);
      expect(response.headers.get('cache-control'), route).toBe('public, no-cache');
      const tag = response.headers.get('etag')!;
      expect((await get(route, { 'if-none-match': tag })).status, route).toBe(304);
    }
  });

  it('caches a published version named by number for a year, but revalidates the latest and aliases', async () => {
    const latest = ((await (await get('/v1/prompts/brief')).json()) as { ref: string }).ref;
    expect(latest).not.toBe('brief@1');
    const cases: [string, string][] = [
      ['/v1/prompts/brief@1', IMMUTABLE],
      [`/v1/prompts/${latest}`, 'public, no-cache'],
      ['/v1/prompts/brief@latest', 'public, no-cache'],
      ['/v1/prompts/brief', 'public, no-cache'],
      ['/v1/prompts', 'public, no-cache'],
      ['/v1/prompts/brief@1/diff/brief@2', IMMUTABLE],
      ['/v1/prompts/brief@1/diff/brief@latest', 'public, no-cache'],
    ];
    for (const [path, control] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toBe(control);
      const etag = response.headers.get('etag')!;
      expect((await get(path, { 'if-none-match': etag })).status, path).toBe(304);
    }
    // brief@latest and its number are one representation, with one tag.
    expect((await get('/v1/prompts/brief@latest')).headers.get('etag')).toBe(
      (await get(`/v1/prompts/${latest}`)).headers.get('etag'),
    );
  });
});

describe('If-None-Match (RFC 9110 §13.1.2: weak comparison)', () => {
  it('matches the tag with or without W/, in a list, and *; nothing else', () => {
    const tag = '"abc"';
    expect(ifNoneMatchMatches('"abc"', tag)).toBe(true);
    expect(ifNoneMatchMatches('W/"abc"', tag)).toBe(true);
    expect(ifNoneMatchMatches('"x", W/"y",  "abc"', tag)).toBe(true);
    expect(ifNoneMatchMatches(' * ', tag)).toBe(true);
    expect(ifNoneMatchMatches('"abcd"', tag)).toBe(false);
    expect(ifNoneMatchMatches('abc', tag)).toBe(false); // unquoted: not an entity tag
    expect(ifNoneMatchMatches('', tag)).toBe(false);
    expect(ifNoneMatchMatches(undefined, tag)).toBe(false);
  });
});
