import { describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { ErrorBody } from '../src/errors.js';
import { useLlmApp } from './support/llm-app.js';

const ctx = useLlmApp({ MAX_DOCUMENT_BYTES: '4000', LLM_MAX_RETRIES: '1', LLM_TIMEOUT_MS: '2000' });

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = ErrorBody.parse(await response.json());
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBeTruthy();
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // no stack trace
  return body;
}

const post = (body: BodyInit, contentType: string, query = ''): Response | Promise<Response> =>
  ctx.t.app.request(`/v1/briefs${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });

describe('bad input gets a clear error and writes nothing', () => {
  const cases: [string, () => Response | Promise<Response>, number, string][] = [
    ['empty text', () => ctx.t.postJson({ text: '' }), 400, 'invalid_request'],
    [
      'whitespace-only text',
      () => ctx.t.postJson({ text: ' \n\t\u00A0\r\n ' }),
      400,
      'invalid_request',
    ],
    ['empty raw body', () => post('', 'text/plain'), 400, 'invalid_request'],
    [
      'unknown prompt',
      () => ctx.t.postJson({ text: 'A real document.', prompt: 'brief@99' }),
      404,
      'unknown_prompt',
    ],
    [
      'malformed prompt ref',
      () => ctx.t.postJson({ text: 'A real document.', prompt: '@@' }),
      404,
      'unknown_prompt',
    ],
    [
      'over the size limit',
      () => ctx.t.postJson({ text: 'x'.repeat(5000) }),
      413,
      'payload_too_large',
    ],
    [
      'wrong content type',
      () => post('<p>hi</p>', 'application/xml'),
      415,
      'unsupported_media_type',
    ],
    [
      'no content type',
      () => ctx.t.app.request('/v1/briefs', { method: 'POST', body: new Uint8Array([1, 2, 3]) }),
      415,
      'unsupported_media_type',
    ],
    ['malformed JSON', () => post('{"text": "abc"', 'application/json'), 400, 'invalid_request'],
    [
      'JSON of the wrong shape',
      () => post('{"text": 42}', 'application/json'),
      400,
      'invalid_request',
    ],
    ['JSON array', () => post('["text"]', 'application/json'), 400, 'invalid_request'],
    [
      'unknown fields',
      () => ctx.t.postJson({ text: 'A document.', colour: 'blue' }),
      400,
      'invalid_request',
    ],
    [
      'non-UTF-8 bytes',
      () => post(new Uint8Array([0x41, 0xff, 0xfe, 0x42]), 'text/plain'),
      400,
      'invalid_request',
    ],
    [
      'binary garbage',
      () => post(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]), 'text/plain'),
      400,
      'invalid_request',
    ],
    [
      'a title too long',
      () => ctx.t.postJson({ text: 'A document.', title: 't'.repeat(501) }),
      400,
      'invalid_request',
    ],
    [
      'absurd wait',
      () => ctx.t.postJson({ text: 'A document.' }, '?wait=-5'),
      400,
      'invalid_request',
    ],
  ];

  for (const [name, send, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const before = ctx.t.rows();
      await expectError(await send(), status, code);
      expect(ctx.t.rows()).toEqual(before);
      expect(ctx.llm.calls).toHaveLength(0);
    });
  }

  it('enforces the size limit on a streamed body without Content-Length', async () => {
    const before = ctx.t.rows();
    const chunk = new TextEncoder().encode('y'.repeat(1000));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await ctx.t.app.request('/v1/briefs', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: stream,
      // @ts-expect-error Node's fetch needs duplex for a streamed body
      duplex: 'half',
    });
    await expectError(response, 413, 'payload_too_large');
    expect(ctx.t.rows()).toEqual(before);
  });

  it('refuses a body whose Content-Length is over the limit, from the header alone', async () => {
    const before = ctx.t.rows();
    const text = 'z'.repeat(6000);
    const response = await ctx.t.app.request('/v1/briefs', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'content-length': String(text.length) },
      body: text,
    });
    await expectError(response, 413, 'payload_too_large');
    expect(ctx.t.rows()).toEqual(before);
  });

  it('does not let request data into response headers', async () => {
    const response = await ctx.t.app.request(
      '/v1/briefs?title=x%0D%0ALocation:%20https://evil.example&wait=5',
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-request-id': 'abc<script>alert(1)</script>' },
        body: 'The Port Authority said dredging starts in May. Residents were not consulted.',
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(/^\/v1\/briefs\/brf_[0-9a-f]{24}$/);
    expect(response.headers.get('x-request-id')).not.toContain('<');
    expect(BriefView.parse(await response.json()).document.title).toBe(
      'x\r\nLocation: https://evil.example',
    );
  });

  it('rejects absurd pagination and unknown routes', async () => {
    await expectError(await ctx.t.app.request('/v1/briefs?limit=100000'), 400, 'invalid_request');
    await expectError(await ctx.t.app.request('/v1/briefs?limit=abc'), 400, 'invalid_request');
    await expectError(await ctx.t.app.request('/v1/briefs?cursor=bm9wZQ'), 400, 'invalid_request');
    await expectError(await ctx.t.app.request('/v1/briefs?status=done'), 400, 'invalid_request');
    await expectError(await ctx.t.app.request('/v1/documents/xyz'), 400, 'invalid_request');
    await expectError(await ctx.t.app.request(`/v1/documents/${'a'.repeat(64)}`), 404, 'not_found');
    await expectError(await ctx.t.app.request('/v1/nothing'), 404, 'not_found');
  });
});

describe('LLM failures', () => {
  it('fail the brief with a specific code, cache nothing, and retry on the next POST', async () => {
    ctx.llm.enqueue({ status: 503 }, { status: 503 });
    const text =
      'The Authority said the scheme cut emissions by 30 percent. Opponents were not asked.';
    const before = ctx.t.rows();
    const failed = await expectError(
      await ctx.t.postJson({ text, prompt: 'brief@1' }),
      503,
      'llm_unavailable',
    );
    const briefId = failed.error.details?.briefId as string;
    expect(briefId).toMatch(/^brf_/);
    expect(ctx.t.rows().llmCalls).toBe(before.llmCalls);

    const stored = BriefView.parse(await (await ctx.t.app.request(`/v1/briefs/${briefId}`)).json());
    expect(stored.status).toBe('failed');
    expect(stored.error?.code).toBe('llm_unavailable');
    expect(stored.usage?.requests).toBe(2); // the first attempt and one retry were both paid for

    const retried = await ctx.t.postJson({ text, prompt: 'brief@1' });
    expect(retried.status).toBe(201);
    expect(BriefView.parse(await retried.json())).toMatchObject({
      id: briefId,
      status: 'succeeded',
    });
    expect(ctx.t.rows().llmCalls).toBe(before.llmCalls + 1);
  });

  it('fail as llm_invalid_output when the output stays invalid after the repair', async () => {
    ctx.llm.enqueue({ content: '{"headline": 1}' }, { content: 'not json at all' });
    const text = 'The Board claimed the merger saved 12 million. The union disputes this.';
    await expectError(await ctx.t.postJson({ text, prompt: 'brief@1' }), 502, 'llm_invalid_output');
    expect(
      ctx.t.sqlite.prepare("select count(*) as n from briefs where status = 'failed'").get(),
    ).toMatchObject({ n: expect.any(Number) });
  });
});
