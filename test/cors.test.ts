import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { createTestApp, type TestApp } from './support/app.js';
import { serveApp } from './support/http.js';

// CORS (CORS_ORIGINS, src/middleware/cors.ts) over a real socket, as a browser would meet it:
// preflights from an allowed and a refused origin, then the requests themselves.

const TOKEN = 'cors-test-token-0123456789';
const ALLOWED = 'https://app.example';
const REFUSED = 'https://elsewhere.example';

let t: TestApp;
let server: Awaited<ReturnType<typeof serveApp>>;
beforeAll(async () => {
  t = await createTestApp({
    LLM_PROVIDER: 'local',
    API_TOKENS: TOKEN,
    CORS_ORIGINS: `${ALLOWED}, http://localhost:5173`,
  });
  server = await serveApp(t.app.fetch);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const corsHeaders = (response: Response) => {
  const names: string[] = [];
  response.headers.forEach((_value, name) => {
    if (name.startsWith('access-control-')) names.push(name);
  });
  return names;
};
const preflight = (origin: string, path = '/v1/briefs') =>
  fetch(`${server.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS_ORIGINS', () => {
  it('answers a preflight from an allowed origin with 204, allowing POST and the Authorization header', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toContain('POST');
    const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(response.headers.get('access-control-max-age')).toBe('7200');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(await response.text()).toBe('');
    // Every route under /v1, the second origin of the list too.
    expect((await preflight('http://localhost:5173', '/v1/cache/prune')).status).toBe(204);
  });

  it('gives a refused origin no CORS header at all, on a preflight or a request', async () => {
    const response = await preflight(REFUSED);
    expect(response.status).toBe(404);
    expect(corsHeaders(response)).toEqual([]);
    const read = await fetch(`${server.url}/v1/prompts`, { headers: { origin: REFUSED } });
    expect(read.status).toBe(200);
    expect(corsHeaders(read)).toEqual([]);
    // …but the answer varies by Origin, so a shared cache does not hand it to an allowed page.
    expect(read.headers.get('vary')).toContain('Origin');
    // A near miss is refused: origins are compared whole.
    const near = await preflight(`${ALLOWED}:8443`);
    expect(corsHeaders(near)).toEqual([]);
  });

  it('lets an allowed page read answers, their errors and the headers it needs: ETag, Location, Retry-After, X-Request-Id', async () => {
    const created = await fetch(`${server.url}/v1/briefs`, {
      method: 'POST',
      headers: { origin: ALLOWED, authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
      body: 'The council says the new bridge will open in 2031.',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    const exposed = created.headers.get('access-control-expose-headers')!.toLowerCase().split(',');
    expect(exposed).toEqual(
      expect.arrayContaining(['etag', 'location', 'retry-after', 'x-request-id']),
    );
    const read = await fetch(`${server.url}${created.headers.get('location')}`, {
      headers: { origin: ALLOWED },
    });
    expect(read.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(read.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(read.headers.get('vary')).toContain('Origin');
    // A 304 carries them too.
    const revalidated = await fetch(`${server.url}${created.headers.get('location')}`, {
      headers: { origin: ALLOWED, 'if-none-match': read.headers.get('etag')! },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('access-control-allow-origin')).toBe(ALLOWED);

    // The token check's 401 is readable by the page, so it can say what went wrong.
    const refused = await fetch(`${server.url}/v1/cache/prune`, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json' },
      body: JSON.stringify({ olderThan: '30d' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('leaves what is not under /v1 alone', async () => {
    const health = await fetch(`${server.url}/healthz`, { headers: { origin: ALLOWED } });
    expect(corsHeaders(health)).toEqual([]);
  });
});

describe('CORS_ORIGINS unset (the default) and *', () => {
  it('unset: no CORS headers for anyone, and no preflight', async () => {
    const plain = await createTestApp({ LLM_PROVIDER: 'local' });
    try {
      const response = await plain.app.request('/v1/briefs', {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
      });
      expect(response.status).toBe(404);
      expect(corsHeaders(response)).toEqual([]);
      const read = await plain.app.request('/v1/prompts', { headers: { origin: ALLOWED } });
      expect(corsHeaders(read)).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('*: any origin, answered with *, and Authorization still allowed by name', async () => {
    const open = await createTestApp({ LLM_PROVIDER: 'local', CORS_ORIGINS: '*' });
    try {
      const response = await open.app.request('/v1/briefs', {
        method: 'OPTIONS',
        headers: {
          origin: REFUSED,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      // A wildcard in Allow-Headers would not cover Authorization: it is named.
      expect(response.headers.get('access-control-allow-headers')).toContain('Authorization');
      const read = await open.app.request('/v1/prompts', { headers: { origin: REFUSED } });
      expect(read.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await open.close();
    }
  });

  it('refuses a setting that is not a list of origins', () => {
    for (const value of ['https://app.example/', 'app.example', '*, https://app.example'])
      expect(() => parseConfig({ CORS_ORIGINS: value }), value).toThrow(/CORS_ORIGINS/);
    expect(
      parseConfig({ CORS_ORIGINS: ' https://a.example ,http://localhost:5173' }),
    ).toMatchObject({ CORS_ORIGINS: ['https://a.example', 'http://localhost:5173'] });
    expect(parseConfig({}).CORS_ORIGINS).toEqual([]);
  });
});
