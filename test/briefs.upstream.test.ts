import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { ErrorBody } from '../src/errors.js';
import { unwrapCodeFence } from '../src/llm/openai/read-output.js';
import { fakeModel, type LlmFault } from './support/llm-server.js';
import { useLlmApp } from './support/llm-app.js';

/**
 * What an endpoint sends that it should not (issue 17), seen through the whole service: an
 * answer over MAX_MODEL_OUTPUT_BYTES fails the call unrepaired, unretried and uncached; a 401
 * or 403 is `llm_unauthorized`; and nothing the endpoint writes reaches a client.
 */
const ctx = useLlmApp({
  MAX_MODEL_OUTPUT_BYTES: '20000',
  LLM_MAX_RETRIES: '2',
  LLM_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'warn',
});
const MARKER = 'UPSTREAM-SECRET-123';
let n = 0;

/** A new document per case, so no case is served from another's cache. */
const newDocument = () =>
  `Case ${++n}: the Agency said the scheme saved 12 million. The union said it did not.`;

// The log lines of each test (LOG_LEVEL warn: failures only), kept out of the test output.
let logged: string[] = [];
beforeEach(() => {
  logged = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** POSTs a new document; the failed brief's error, its id, and every text a client can read of it. */
async function failedBrief(expectedStatus: number) {
  const posted = await ctx.t.postJson({ text: newDocument(), prompt: 'brief@1' });
  const postedText = await posted.text();
  expect(posted.status, postedText).toBe(expectedStatus);
  const error = ErrorBody.parse(JSON.parse(postedText)).error;
  const id = error.details!.briefId as string;
  const read = async (path: string) => {
    const response = await ctx.t.app.request(path);
    expect(response.status, path).toBe(200);
    return response.text();
  };
  const stored = await read(`/v1/briefs/${id}`);
  const texts = {
    'POST /v1/briefs': postedText,
    'GET /v1/briefs/:id': stored,
    'GET /v1/briefs': await read('/v1/briefs'),
    'GET /v1/briefs/:id/events': await read(`/v1/briefs/${id}/events`),
    'GET /briefs/:id': await read(`/briefs/${id}`),
  };
  return { error, view: BriefView.parse(JSON.parse(stored)), texts };
}

function expectNoMarker(texts: Record<string, string>): void {
  for (const [where, text] of Object.entries(texts)) expect(text, where).not.toContain(MARKER);
}

/** A schema-valid answer of `bytes` bytes: the fake model's brief, padded with whitespace. */
const paddedAnswer = (bytes: number) => (body: Parameters<typeof fakeModel>[0]) => {
  const brief = JSON.stringify(fakeModel(body));
  return brief + ' '.repeat(bytes - brief.length);
};

describe('MAX_MODEL_OUTPUT_BYTES', () => {
  it('an answer within the limit is used and cached', async () => {
    ctx.llm.handler = paddedAnswer(19_000);
    const before = ctx.t.rows().llmCalls;
    const response = await ctx.t.postJson({ text: newDocument(), prompt: 'brief@1' });
    expect(response.status).toBe(201);
    expect(ctx.t.rows().llmCalls).toBe(before + 1);
  });

  it.each([
    ['over the limit', 25_000],
    // Over 6 × 20,000 + 64 KiB: dropped while the body is read, before the SDK parses it.
    ['over the raw body limit too', 300_000],
  ])(
    'an answer %s fails as llm_invalid_output: one request, no repair, nothing cached',
    async (_, bytes) => {
      ctx.llm.handler = paddedAnswer(bytes);
      const before = ctx.t.rows().llmCalls;
      const { error, view, texts } = await failedBrief(502);
      expect(error.code).toBe('llm_invalid_output');
      expect(error.message).toMatch(/MAX_MODEL_OUTPUT_BYTES \(20000 bytes\)/);
      expect(ctx.llm.calls).toHaveLength(1);
      expect(view).toMatchObject({ status: 'failed', usage: { calls: 1, requests: 1 } });
      expect(ctx.t.rows().llmCalls).toBe(before);
      expect(texts['GET /briefs/:id']).toContain('MAX_MODEL_OUTPUT_BYTES');
    },
  );

  it('the limit is read from the environment, at least 10,000 bytes', async () => {
    expect(ctx.t.deps.config.MAX_MODEL_OUTPUT_BYTES).toBe(20_000);
    const { parseConfig } = await import('../src/config.js');
    expect(parseConfig({}).MAX_MODEL_OUTPUT_BYTES).toBe(1_000_000);
    expect(() => parseConfig({ MAX_MODEL_OUTPUT_BYTES: '9999' })).toThrow(/MAX_MODEL_OUTPUT_BYTES/);
  });
});

describe('an endpoint that refuses the credentials', () => {
  it.each([401, 403])(
    '%i: llm_unauthorized (502), one request, no upstream text',
    async (status) => {
      ctx.llm.enqueue({
        status,
        body: {
          error: {
            message: `Incorrect API key provided: ${MARKER}`,
            type: 'invalid_request_error',
          },
        },
      });
      const before = ctx.t.rows().llmCalls;
      const { error, view, texts } = await failedBrief(502);
      expect(error.code).toBe('llm_unauthorized');
      expect(error.message).toMatch(/refused the credentials/);
      expect(error.message).toContain('OPENAI_API_KEY');
      expect(error.message).toContain(`HTTP ${status}`);
      expect(view.error).toEqual({ code: 'llm_unauthorized', message: error.message });
      expect(ctx.llm.calls).toHaveLength(1);
      expect(view.usage).toMatchObject({ requests: 1 });
      expect(ctx.t.rows().llmCalls).toBe(before);
      expectNoMarker(texts);
      // The endpoint's words are in the server's log, at warn level.
      const line = logged.map((l) => JSON.parse(l)).find((l) => l.message === 'brief failed');
      expect(line).toMatchObject({ level: 'warn', code: 'llm_unauthorized' });
      expect(line.upstream).toContain(MARKER);
    },
  );
});

describe('upstream text never reaches a client', () => {
  const cases: [string, LlmFault[], number, string][] = [
    [
      '400',
      [{ status: 400, body: { error: { message: `bad model ${MARKER}` } } }],
      502,
      'llm_invalid_output',
    ],
    [
      '500, as long as retries last',
      Array.from({ length: 3 }, () => ({
        status: 500,
        body: { error: { message: `boom ${MARKER}` } },
      })),
      503,
      'llm_unavailable',
    ],
    [
      '500 whose error is a bare string',
      Array.from({ length: 3 }, () => ({ status: 500, body: { error: `<html>${MARKER}</html>` } })),
      503,
      'llm_unavailable',
    ],
    [
      '429 with a Retry-After over the cap',
      [{ status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: MARKER } } }],
      503,
      'llm_unavailable',
    ],
    ['a refusal', [{ refusal: `I will not: ${MARKER}` }], 502, 'llm_invalid_output'],
    [
      'output that is not JSON, twice',
      [{ content: `${MARKER} nope` }, { content: `${MARKER} again` }],
      502,
      'llm_invalid_output',
    ],
  ];
  for (const [name, faults, status, code] of cases) {
    it(`${name}: ${code}, the marker in no API response and no page`, async () => {
      ctx.llm.enqueue(...faults);
      const { error, texts } = await failedBrief(status);
      expect(error.code).toBe(code);
      expect(ctx.llm.calls).toHaveLength(faults.length);
      expectNoMarker(texts);
      // The endpoint's words go to the server's log instead (V8 quotes only the start of an
      // output that is not JSON).
      const line = logged.map((l) => JSON.parse(l)).find((l) => l.message === 'brief failed');
      expect(line).toMatchObject({ level: 'warn', code });
      expect(line.upstream).toContain(MARKER.slice(0, 10));
    });
  }
});

describe('unwrapCodeFence', () => {
  it('returns within 1 s on "```json" and 100,000 newlines, fenced or not', () => {
    const newlines = '\n'.repeat(100_000);
    const started = performance.now();
    expect(unwrapCodeFence(`\`\`\`json${newlines}`)).toBe(`\`\`\`json${newlines}`);
    expect(unwrapCodeFence(`\`\`\`json${newlines}\`\`\``)).toBe('');
    expect(unwrapCodeFence(`\`\`\`json${newlines}{}${newlines}\`\`\``)).toBe('{}');
    expect(unwrapCodeFence(`\`\`\`json${' \n'.repeat(50_000)}x`)).toContain('x');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
