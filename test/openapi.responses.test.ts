import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../src/evals/corpus.js';
import { runEval } from '../src/evals/run.js';
import { createTestApp, policyDocument, type TestApp } from './support/app.js';
import { makeHtmlPage, makePdf } from './support/documents.js';
import { useLlmApp } from './support/llm-app.js';
import { specChecker, type OpenApiSpec, type SpecChecker } from './support/openapi.js';

// Real requests against the app (offline analyst, real SQLite), each response checked against
// the spec the app serves at /openapi.json: its status and media type must be documented for
// the operation and its body must validate against the documented schema (JSON Schema 2020-12,
// by ajv). Error responses must carry one of the codes documented for that status.

const TOKEN = 'openapi-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const seed = readFileSync('seeds/rent-cap-press-release.md', 'utf8');

let t: TestApp;
let checker: SpecChecker;
beforeAll(async () => {
  t = await createTestApp({
    LLM_PROVIDER: 'local',
    API_TOKENS: TOKEN,
    MAX_DOCUMENT_BYTES: '300000',
  });
  checker = await checkerFor(t);
});
afterAll(async () => {
  await t.close();
});

async function checkerFor(app: TestApp) {
  return specChecker((await (await app.app.request('/openapi.json')).json()) as OpenApiSpec);
}

/** One request, its response checked against the spec; the parsed body. */
async function call(
  path: string,
  init: RequestInit = {},
  on: { t: TestApp; checker: SpecChecker } = { t, checker },
) {
  const response = await on.t.app.request(path, init);
  const { status, headers } = response;
  return { status, headers, body: await on.checker.check(init.method ?? 'GET', path, response) };
}

const postJson = (body: unknown, query = '', headers: Record<string, string> = auth) =>
  call(`/v1/briefs${query}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const postRaw = (body: BodyInit, type: string, query = '') =>
  call(`/v1/briefs${query}`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });

describe('responses match /openapi.json', () => {
  it('POST /v1/briefs: JSON made now then cached, a multipart upload, raw Markdown, HTML and PDF', async () => {
    const made = await postJson({ text: seed, title: 'Rent cap', prompt: 'brief@1' });
    expect(made.status).toBe(201);
    expect(made.headers.get('location')).toBe(`/v1/briefs/${made.body.id}`);
    expect((await postJson({ text: seed, title: 'Rent cap', prompt: 'brief@1' })).status).toBe(200);

    const form = new FormData();
    form.append(
      'file',
      new Blob([readFileSync('seeds/rail-link-op-ed.md')], { type: 'text/markdown' }),
      'op-ed.md',
    );
    form.append('prompt', 'brief@2');
    expect((await call('/v1/briefs', { method: 'POST', headers: auth, body: form })).status).toBe(
      201,
    );
    expect(
      (
        await postRaw(
          readFileSync('seeds/water-ownership-paper.md', 'utf8'),
          'text/markdown',
          '?title=Water',
        )
      ).status,
    ).toBe(201);
    expect((await postRaw(makeHtmlPage(), 'text/html')).status).toBe(201);
    expect((await postRaw(await makePdf(), 'application/pdf')).status).toBe(201);
  });

  it('POST /v1/briefs answers 202 for a brief still running, whose events then stream to the end', async () => {
    const running = await postRaw(policyDocument(400, 'transport'), 'text/plain', '?wait=0');
    expect(running.status).toBe(202);
    expect(running.body.status).toBe('running');
    const events = await call(`/v1/briefs/${running.body.id}/events`);
    expect(events.status).toBe(200);
    expect(events.body.at(-1).event).toBe('succeeded');
  });

  it('GET /v1/briefs, /v1/briefs/{id} and /v1/documents/{id}', async () => {
    const page = await call('/v1/briefs?limit=2');
    expect(page.body.items).toHaveLength(2);
    const next = await call(`/v1/briefs?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items.length).toBeGreaterThan(0);
    const one = await call(`/v1/briefs/${page.body.items[0].id}`);
    expect(one.body.id).toBe(page.body.items[0].id);
    const document = await call(`/v1/documents/${one.body.document.id}?include=text`);
    expect(typeof document.body.text).toBe('string');
    expect((await call(`/v1/documents/${one.body.document.id}`)).body).not.toHaveProperty('text');
  });

  it('POST /v1/documents, a search, and related documents', async () => {
    const add = (text: string) =>
      call('/v1/documents', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/markdown' },
        body: text,
      });
    const added = await add(readFileSync('seeds/rent-cap-briefing.md', 'utf8'));
    expect(added.status).toBe(201);
    expect((await add(readFileSync('seeds/rent-cap-briefing.md', 'utf8'))).status).toBe(200);
    const found = await call('/v1/documents?q=rent%20cap&limit=3');
    expect(found.body.documents.length).toBeGreaterThan(0);
    const related = await call(`/v1/documents/${added.body.id}/related`);
    expect(related.body.related.length).toBeGreaterThan(0);
  });

  it('POST /v1/perspectives made then cached, GET one and its events', async () => {
    const add = async (name: string) =>
      (
        await call('/v1/documents', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'text/markdown' },
          body: readFileSync(`seeds/${name}`, 'utf8'),
        })
      ).body.id as string;
    const documents = [
      await add('harbour-closure-company-statement.md'),
      await add('harbour-closure-union-reply.md'),
    ];
    const post = () =>
      call('/v1/perspectives?wait=30', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ documents }),
      });
    const made = await post();
    expect(made.status).toBe(201);
    expect((await post()).status).toBe(200);
    expect((await call(`/v1/perspectives/${made.body.id}`)).body.id).toBe(made.body.id);
    const events = await call(`/v1/perspectives/${made.body.id}/events`);
    expect(events.status).toBe(200);
    const errors: Array<[Promise<{ status: number; body: any }>, number, string]> = [
      [call('/v1/perspectives/xyz'), 400, 'invalid_request'],
      [call(`/v1/perspectives/psp_${'0'.repeat(24)}`), 404, 'not_found'],
      [
        call('/v1/perspectives', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ documents: [documents[0], 'f'.repeat(64)] }),
        }),
        404,
        'not_found',
      ],
      [
        call('/v1/perspectives', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ documents, prompt: 'brief@99' }),
        }),
        404,
        'unknown_prompt',
      ],
    ];
    for (const [pending, status, code] of errors) {
      const { status: got, body } = await pending;
      expect(got).toBe(status);
      expect(body.error.code).toBe(code);
    }
  });

  it('GET /v1/prompts, one version, and the diff of two', async () => {
    const list = await call('/v1/prompts');
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
    expect((await call('/v1/prompts/brief@latest')).body.latest).toBe(true);
    expect((await call('/v1/prompts/brief@1/diff/brief@2')).body.parts.length).toBeGreaterThan(0);
  });

  it('GET /v1/stats, POST /v1/cache/prune, and 304 for a current If-None-Match, with the documented headers', async () => {
    const stats = await call('/v1/stats');
    expect(stats.body.briefs.succeeded).toBeGreaterThan(0);
    const pruned = await call('/v1/cache/prune', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ olderThan: '30d' }),
    });
    expect(pruned.body.removed.llmCalls).toBe(0);
    const { items } = (await call('/v1/briefs?limit=1&status=succeeded')).body;
    for (const path of [
      `/v1/briefs/${items[0].id}`,
      `/v1/documents/${items[0].document.id}`,
      '/v1/prompts/brief@1',
    ]) {
      const first = await call(path);
      const operation = checker.spec.paths[checker.templateOf(path)]!.get!;
      const documented = operation.responses['200'] as { headers?: Record<string, unknown> };
      expect(Object.keys(documented.headers ?? {})).toEqual(['ETag', 'Cache-Control']);
      expect(operation.parameters?.map((parameter) => parameter.name)).toContain('If-None-Match');
      expect(first.headers.get('etag')).toBeTruthy();
      const again = await call(path, { headers: { 'if-none-match': first.headers.get('etag')! } });
      expect(again.status).toBe(304);
    }
  });

  it('GET /v1/compare by prompt refs and by brief ids', async () => {
    const first = await postJson({ text: seed, prompt: 'brief@1' });
    const url = `/v1/compare?document=${first.body.document.id}&a=brief@1&b=brief@2&run=true`;
    expect((await call(url)).status).toBe(401); // run=true spends LLM calls: it needs the token
    const byRefs = await call(url, { headers: auth });
    expect(byRefs.status).toBe(200);
    const byIds = await call(`/v1/compare?briefs=${byRefs.body.a.id},${byRefs.body.b.id}`);
    expect(byIds.body.counts).toEqual(byRefs.body.counts);
  });

  it('POST /v1/evals starts a run; GET /v1/evals and one eval, as JSON and as Markdown', async () => {
    const report = await runEval(t.deps, {
      corpus: loadCorpus('seeds', 2),
      corpusLabel: 'seeds',
      prompts: ['brief@1', 'brief@2'],
    });
    const list = await call('/v1/evals?limit=1');
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([report.id]);
    const documents = loadCorpus('seeds', 1);
    const started = await call('/v1/evals', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompts: ['brief@1'], documents }),
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/evals/${started.body.id}`);
    expect(started.body).toMatchObject({
      status: 'running',
      corpus: 'api',
      progress: { total: 1 },
    });
    expect((await call(`/v1/evals/${report.id}`)).body.report.id).toBe(report.id);
    expect(await (await call(`/v1/evals/${report.id}?format=md`)).body).toContain('| metric |');
  });

  it('GET /healthz, /openapi.json, /docs and a file of the page', async () => {
    expect((await call('/healthz')).body.status).toBe('ok');
    expect((await call('/openapi.json')).body.openapi).toBe('3.1.0');
    expect((await call('/docs')).body).toContain('<div id="swagger-ui">');
    expect((await call('/docs/assets/swagger-ui.css')).status).toBe(200);
    expect((await call('/docs/assets/favicon-32x32.png')).status).toBe(200);
  });

  it('errors: each status and code is one the spec documents for the route', async () => {
    const cases: [Promise<{ status: number; body: any }>, number, string][] = [
      [
        call('/v1/briefs', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{"text":',
        }),
        400,
        'invalid_request',
      ],
      [postJson({ text: 'A document.' }, '', {}), 401, 'unauthorized'],
      [postJson({ text: 'A document.', prompt: 'brief@99' }), 404, 'unknown_prompt'],
      [postJson({ text: 'x'.repeat(310_000) }), 413, 'payload_too_large'],
      [postRaw('<a/>', 'application/xml'), 415, 'unsupported_media_type'],
      [call('/v1/briefs?status=done'), 400, 'invalid_request'],
      [call('/v1/briefs?prompt=brief@abc'), 404, 'unknown_prompt'],
      [call('/v1/briefs/xyz'), 400, 'invalid_request'],
      [call(`/v1/briefs/brf_${'0'.repeat(24)}`), 404, 'not_found'],
      [call(`/v1/briefs/brf_${'0'.repeat(24)}/events`), 404, 'not_found'],
      [call('/v1/documents/xyz'), 400, 'invalid_request'],
      [call(`/v1/documents/${'a'.repeat(64)}`), 404, 'not_found'],
      [call('/v1/documents?q=%22'), 400, 'invalid_request'],
      [call(`/v1/documents/${'a'.repeat(64)}/related`), 404, 'not_found'],
      [
        call('/v1/documents', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ text: ' ' }),
        }),
        400,
        'invalid_request',
      ],
      [
        call('/v1/documents', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/xml' },
          body: '<a/>',
        }),
        415,
        'unsupported_media_type',
      ],
      [call('/v1/prompts/nope@1'), 404, 'unknown_prompt'],
      [call('/v1/prompts/brief@1/diff/brief@99'), 404, 'unknown_prompt'],
      [
        call('/v1/evals', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ prompts: [] }),
        }),
        400,
        'invalid_request',
      ],
      [
        call('/v1/evals', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            prompts: ['brief@99'],
            documents: [{ id: 'a', document: 'A text.' }],
          }),
        }),
        404,
        'unknown_prompt',
      ],
      [call('/v1/compare'), 400, 'invalid_request'],
      [call(`/v1/compare?document=${'a'.repeat(64)}&a=brief@1&b=brief@2`), 404, 'not_found'],
      [call('/v1/evals?cursor=nope'), 400, 'invalid_request'],
      [
        call('/v1/cache/prune', {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ olderThan: 'a month' }),
        }),
        400,
        'invalid_request',
      ],
      [call(`/v1/evals/evl_${'0'.repeat(24)}?format=xml`), 400, 'invalid_request'],
      [call(`/v1/evals/evl_${'0'.repeat(24)}`), 404, 'not_found'],
      [call('/docs/assets/nope.js'), 404, 'not_found'],
    ];
    for (const [response, status, code] of cases) {
      const { status: got, body } = await response;
      expect([got, body.error.code]).toEqual([status, code]);
      expect(body.error.requestId).toBeTruthy();
    }
  });

  it('errors: 429 when a client is over its budget', async () => {
    // A budget of two: reading /openapi.json is a request like any other, then one call.
    const limited = await createTestApp({ LLM_PROVIDER: 'local', RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const on = { t: limited, checker: await checkerFor(limited) };
      expect((await call('/v1/prompts', {}, on)).status).toBe(200);
      const over = await call('/v1/prompts', {}, on);
      expect([over.status, over.body.error.code]).toEqual([429, 'rate_limited']);
    } finally {
      await limited.close();
    }
  });

  it('the rules the spec documents for input are the ones the routes enforce', async () => {
    const bodies: [unknown, boolean][] = [
      [{ text: 'The Council said the bridge will open in May.' }, true],
      [{ text: 'A document.', extra: 1 }, false],
      [{ text: 'A document.', title: 'x'.repeat(501) }, false],
      [{ title: 'No text' }, false],
    ];
    for (const [body, valid] of bodies) {
      expect(
        checker.requestValid('post', '/v1/briefs', 'application/json', body),
        JSON.stringify(body),
      ).toBe(valid);
      expect((await postJson(body)).status < 400, JSON.stringify(body)).toBe(valid);
    }
    const limits: [number, boolean][] = [
      [0, false],
      [1, true],
      [100, true],
      [101, false],
    ];
    for (const [limit, valid] of limits) {
      expect(checker.parameterValid('get', '/v1/briefs', 'limit', limit), `limit=${limit}`).toBe(
        valid,
      );
      expect((await call(`/v1/briefs?limit=${limit}`)).status, `limit=${limit}`).toBe(
        valid ? 200 : 400,
      );
    }
    expect(checker.parameterValid('get', '/v1/briefs', 'status', 'done')).toBe(false);
    expect(checker.parameterValid('get', '/v1/briefs', 'status', 'failed')).toBe(true);
  });

  // Runs last: the tests above must between them have checked a success of every operation.
  it('every operation of the spec was checked with a success response', () => {
    const spec = checker.spec;
    const operations = Object.values(spec.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    const succeeded = [...checker.seen]
      .filter((seen) => /^\S+ 2\d\d$/.test(seen))
      .map((seen) => seen.split(' ')[0]);
    expect(operations.filter((operation) => !succeeded.includes(operation))).toEqual([]);
  });
});

describe('responses match /openapi.json when the LLM fails', () => {
  const ctx = useLlmApp({ LLM_MAX_RETRIES: '0' });

  it('502 llm_invalid_output and 503 llm_unavailable', async () => {
    const on = { t: ctx.t, checker: await checkerFor(ctx.t) };
    const post = (text: string) =>
      call(
        '/v1/briefs',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
        },
        on,
      );
    ctx.llm.enqueue({ status: 503 });
    const unavailable = await post('The Authority said the scheme cut emissions by 30 percent.');
    expect([unavailable.status, unavailable.body.error.code]).toEqual([503, 'llm_unavailable']);
    ctx.llm.enqueue({ content: '{"headline": 1}' }, { content: 'not json' });
    const invalid = await post('The Board claimed the merger saved 12 million.');
    expect([invalid.status, invalid.body.error.code]).toEqual([502, 'llm_invalid_output']);
  });
});
