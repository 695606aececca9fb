import { describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { ErrorBody } from '../src/errors.js';
import type { LlmFault } from './support/llm-server.js';
import { useLlmApp } from './support/llm-app.js';

/**
 * Every LLM fault, seen through the whole service: the brief ends succeeded (after bounded
 * retries or one repair) or failed with a specific code; nothing invalid is cached; usage
 * counts every request paid for; a failed brief is retried by POSTing it again.
 */
const ctx = useLlmApp({
  LLM_MAX_RETRIES: '1',
  LLM_TIMEOUT_MS: '300',
  LLM_RETRY_AFTER_CAP_MS: '2000',
});
let n = 0;

/** A new document per case, so no case is served from another's cache. */
const newDocument = () =>
  `Case ${++n}: the Agency said the scheme saved 12 million. The union said it did not.`;

const transient: [string, LlmFault][] = [
  ['429 with Retry-After', { status: 429, headers: { 'retry-after': '1' } }],
  ['500', { status: 500 }],
  ['503', { status: 503 }],
  ['a connection reset', 'reset'],
  ['a response that never comes', 'hang'],
  ['a body that stalls after the headers', 'stall'],
];

describe('one transient fault, then a good answer', () => {
  for (const [name, fault] of transient) {
    it(`${name}: succeeds after one retry, and usage counts both requests`, async () => {
      ctx.llm.enqueue(fault);
      const response = await ctx.t.postJson({ text: newDocument(), prompt: 'brief@1' });
      expect(response.status).toBe(201);
      const view = BriefView.parse(await response.json());
      expect(view.status).toBe('succeeded');
      expect(view.usage).toMatchObject({ calls: 1, requests: 2 });
    });
  }
});

describe('faults that outlast the retry budget', () => {
  for (const [name, fault] of transient) {
    it(`${name} twice: fails as llm_unavailable, caches nothing, and a re-POST retries it`, async () => {
      ctx.llm.enqueue(fault, fault);
      const text = newDocument();
      const before = ctx.t.rows().llmCalls;
      const failed = await ctx.t.postJson({ text, prompt: 'brief@1' });
      const error = ErrorBody.parse(await failed.json()).error;
      expect(failed.status).toBe(503);
      expect(error.code).toBe('llm_unavailable');
      expect(error.message.length).toBeGreaterThan(20);
      expect(ctx.t.rows().llmCalls).toBe(before);
      const stored = BriefView.parse(
        await (await ctx.t.app.request(`/v1/briefs/${error.details!.briefId}`)).json(),
      );
      expect(stored).toMatchObject({ status: 'failed', usage: { requests: 2 } });

      const retried = await ctx.t.postJson({ text, prompt: 'brief@1' });
      expect(retried.status).toBe(201);
      expect(BriefView.parse(await retried.json())).toMatchObject({
        id: stored.id,
        status: 'succeeded',
      });
      expect(ctx.t.rows().llmCalls).toBe(before + 1);
    });
  }

  it('a Retry-After beyond the cap fails at once instead of waiting', async () => {
    ctx.llm.enqueue({ status: 429, headers: { 'retry-after': '3600' } });
    const started = performance.now();
    const failed = await ctx.t.postJson({ text: newDocument(), prompt: 'brief@1' });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(failed.status).toBe(503);
    expect(ErrorBody.parse(await failed.json()).error.message).toMatch(/rate-limit/i);
  });
});

describe('bad output', () => {
  it('truncated JSON is repaired once, and only the repaired output is cached', async () => {
    ctx.llm.enqueue({ content: '{"headline": "Agency scheme", "summary": "The doc' });
    const view = BriefView.parse(
      await (await ctx.t.postJson({ text: newDocument(), prompt: 'brief@1' })).json(),
    );
    expect(view).toMatchObject({ status: 'succeeded', usage: { requests: 2 } });
    const cached = ctx.t.sqlite
      .prepare('select output from llm_calls order by created_at desc limit 1')
      .get() as { output: string };
    expect(JSON.parse(cached.output)).toEqual(
      expect.objectContaining({ headline: expect.any(String), keyPoints: expect.any(Array) }),
    );
  });

  const invalid: [string, LlmFault[], RegExp][] = [
    [
      'JSON that fails the schema, twice',
      [{ content: '{"headline": 3}' }, { content: '{"summary": []}' }],
      /schema/i,
    ],
    ['a refusal', [{ refusal: 'I cannot help with that.' }], /refused/i],
    ['finish_reason length', [{ content: '{"headline": "x"', finishReason: 'length' }], /cut off/i],
  ];
  for (const [name, faults, message] of invalid) {
    it(`${name}: fails as llm_invalid_output, says why, caches nothing`, async () => {
      ctx.llm.enqueue(...faults);
      const before = ctx.t.rows().llmCalls;
      const failed = await ctx.t.postJson({ text: newDocument(), prompt: 'brief@1' });
      expect(failed.status).toBe(502);
      const error = ErrorBody.parse(await failed.json()).error;
      expect(error.code).toBe('llm_invalid_output');
      expect(error.message).toMatch(message);
      expect(ctx.t.rows().llmCalls).toBe(before);
    });
  }
});
