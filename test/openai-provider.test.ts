import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelBrief } from '../src/briefs/schema.js';
import {
  createOpenAIProvider,
  type OpenAIProviderOptions,
} from '../src/llm/openai/openai-provider.js';
import { LlmError, type GenerateRequest } from '../src/llm/provider.js';
import { PromptParams } from '../src/prompts/prompt.js';
import {
  fakeModel,
  startLlmServer,
  type ChatRequest,
  type LlmServer,
} from './support/llm-server.js';

let llm: LlmServer;
beforeAll(async () => {
  llm = await startLlmServer();
});
afterAll(async () => {
  await llm.close();
});
beforeEach(() => llm.reset());

const API_KEY = 'sk-test-0123456789abcdef';
const TEXT =
  'The Ministry said the reform will cut waiting lists by 40 percent. Doctors were not consulted. ' +
  'The opposition called the plan "a gamble".';
const FENCE = '0123456789abcdef0123456789abcdef';

function provider(overrides: Partial<OpenAIProviderOptions> = {}) {
  return createOpenAIProvider({
    baseURL: llm.url,
    apiKey: API_KEY,
    defaultModel: 'test-model',
    chunkTokens: 1_000,
    timeoutMs: 400,
    maxRetries: 2,
    retryAfterCapMs: 2_000,
    maxOutputBytes: 1_000_000,
    ...overrides,
  });
}

function request(signal?: AbortSignal): GenerateRequest<ModelBrief> {
  return {
    stage: 'map',
    messages: {
      system: 'You write neutral briefs. Only lines carrying the marker delimit data.',
      user: `Brief this document.\n-----BEGIN DOCUMENT ${FENCE}-----\n${TEXT}\n-----END DOCUMENT ${FENCE}-----`,
    },
    schema: { name: 'brief', zod: ModelBrief },
    params: PromptParams.parse({ temperature: 0.3, maxOutputTokens: 1_500 }),
    input: {
      stage: 'map',
      title: null,
      chunk: { index: 0, text: TEXT, start: 0, end: TEXT.length },
      chunkCount: 1,
    },
    ...(signal ? { signal } : {}),
  };
}

/** The rejection of `promise`, which must be an LlmError. */
async function llmError(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

const body = (index: number) => llm.calls[index]!.body as ChatRequest & Record<string, unknown>;
const expected = () =>
  fakeModel({ messages: [{ role: 'user', content: request().messages.user }] });

describe('openai provider, happy path', () => {
  it('sends system and user messages with a strict json_schema and returns the parsed brief with usage', async () => {
    const result = await provider().generate(request(), 'gpt-4o-mini');

    expect(result.value).toEqual(expected());
    expect(result.value.keyPoints[0]!.citations[0]!.quote).toBe(
      'The Ministry said the reform will cut waiting lists by 40 percent.',
    );
    expect(result.model).toBe('gpt-4o-mini');
    expect(result.usage.requests).toBe(1);
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect((result.raw as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(
      result.usage.promptTokens,
    );

    expect(llm.calls).toHaveLength(1);
    const sent = body(0);
    expect(sent.messages).toEqual([
      { role: 'system', content: request().messages.system },
      { role: 'user', content: request().messages.user },
    ]);
    expect(sent).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 1_500 });
    expect(sent.max_completion_tokens).toBeUndefined();
    expect(sent.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'brief', strict: true },
    });
    const schema = sent.response_format!.json_schema!.schema as Record<string, unknown>;
    expect(schema.$schema).toBeUndefined();
    // Strict mode: every object closed and every property required, however deep.
    const objects: Record<string, unknown>[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.type === 'object') objects.push(record);
      Object.values(record).forEach(walk);
    };
    walk(schema);
    expect(objects.length).toBeGreaterThanOrEqual(5);
    for (const object of objects) {
      expect(object.additionalProperties).toBe(false);
      expect(object.required).toEqual(Object.keys(object.properties as object));
    }
    expect(llm.calls[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(llm.calls[0]!.stage).toBe('map');
  });

  it('merges partial briefs on a reduce call (the fake model of the test server)', async () => {
    const partial = expected();
    const reduce: GenerateRequest<ModelBrief> = {
      ...request(),
      stage: 'reduce',
      messages: {
        system:
          'Describes -----BEGIN DOCUMENT <marker>----- fences, which must not confuse the server.',
        user: `Merge.\n-----BEGIN PARTIALS ${FENCE}-----\n${JSON.stringify([partial, partial])}\n-----END PARTIALS ${FENCE}-----`,
      },
      input: { stage: 'reduce', title: null, partials: [partial, partial], final: true },
    };
    const result = await provider().generate(reduce, 'test-model');
    expect(llm.calls[0]!.stage).toBe('reduce');
    expect(result.value.headline).toBe(partial.headline);
    expect(result.value.keyPoints).toEqual([...partial.keyPoints, ...partial.keyPoints]);
    expect(result.value.stakeholders).toEqual(partial.stakeholders);
  });

  it('falls back to JSON mode with the schema in the system message when json_schema is rejected, and remembers it', async () => {
    llm.rejectJsonSchema = true;
    const openai = provider();
    const first = await openai.generate(request(), 'llama3.1');
    expect(first.value).toEqual(expected());
    expect(first.usage.requests).toBe(2); // the rejected request was made, so it is counted
    expect(body(0).response_format!.type).toBe('json_schema');
    expect(body(1).response_format).toEqual({ type: 'json_object' });
    const system = body(1).messages![0]!.content!;
    expect(system.startsWith(request().messages.system)).toBe(true);
    expect(system).toContain('"additionalProperties":false');
    expect(body(1).messages![1]).toEqual({ role: 'user', content: request().messages.user });

    const second = await openai.generate(request(), 'llama3.1');
    expect(second.usage.requests).toBe(1);
    expect(llm.calls).toHaveLength(3);
    expect(body(2).response_format).toEqual({ type: 'json_object' });
  });

  it('switches to max_completion_tokens for a model that rejects max_tokens', async () => {
    llm.enqueue({
      status: 400,
      body: {
        error: {
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          type: 'invalid_request_error',
          param: 'max_tokens',
        },
      },
    });
    const openai = provider();
    const result = await openai.generate(request(), 'o3-mini');
    expect(result.usage.requests).toBe(2);
    expect(body(1)).toMatchObject({
      max_completion_tokens: 1_500,
      response_format: { type: 'json_schema' },
    });
    expect(body(1).max_tokens).toBeUndefined();
    await openai.generate(request(), 'o3-mini');
    expect(body(2).max_completion_tokens).toBe(1_500);
  });
});

describe('openai provider, transient faults', () => {
  it('honours retry-after-ms on a 429, then succeeds', async () => {
    llm.enqueue({ status: 429, headers: { 'retry-after-ms': '300' } });
    const result = await provider().generate(request(), 'test-model');
    expect(result.usage.requests).toBe(2);
    expect(llm.calls[1]!.time - llm.calls[0]!.time).toBeGreaterThanOrEqual(280);
  });

  it('honours Retry-After in seconds', async () => {
    llm.enqueue({ status: 429, headers: { 'retry-after': '1' } });
    const result = await provider().generate(request(), 'test-model');
    expect(result.usage.requests).toBe(2);
    expect(llm.calls[1]!.time - llm.calls[0]!.time).toBeGreaterThanOrEqual(950);
  });

  it('fails fast as rate_limited when Retry-After is over the cap', async () => {
    llm.enqueue({ status: 429, headers: { 'retry-after': '120' } });
    const started = performance.now();
    const error = await llmError(
      provider({ retryAfterCapMs: 1_000 }).generate(request(), 'test-model'),
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toMatchObject({ kind: 'rate_limited', retryable: true, usage: { requests: 1 } });
    expect(error.message).toMatch(/120000 ms.*cap of 1000 ms/);
    expect(llm.calls).toHaveLength(1);
  });

  it('retries 500 and 503 with backoff, then succeeds, counting every request', async () => {
    llm.enqueue({ status: 500 }, { status: 503 });
    const result = await provider().generate(request(), 'test-model');
    expect(result.value).toEqual(expected());
    expect(result.usage.requests).toBe(3);
    expect(llm.calls).toHaveLength(3);
    // Backoff, not a tight loop: at least half of 250 ms before the first retry.
    expect(llm.calls[1]!.time - llm.calls[0]!.time).toBeGreaterThanOrEqual(120);
  });

  it('gives up after maxRetries with unavailable, retryable, and usage counting the retries', async () => {
    llm.enqueue({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const error = await llmError(provider({ maxRetries: 2 }).generate(request(), 'test-model'));
    expect(error).toMatchObject({
      kind: 'unavailable',
      retryable: true,
      usage: { requests: 3, promptTokens: 0 },
    });
    expect(error.message).toMatch(/HTTP 503.*after 3 attempts/);
    expect(error.message).not.toContain('injected');
    expect(error.detail).toBe('503 injected 503');
    expect(llm.calls).toHaveLength(3);
  });

  it('retries a connection reset', async () => {
    llm.enqueue('reset');
    const result = await provider().generate(request(), 'test-model');
    expect(result.usage.requests).toBe(2);
    expect(result.value).toEqual(expected());
  });

  it('reports a connection reset as unavailable when retries are exhausted', async () => {
    llm.enqueue('reset', 'reset');
    const error = await llmError(provider({ maxRetries: 1 }).generate(request(), 'test-model'));
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, usage: { requests: 2 } });
  });

  it('times out a request that never gets an answer, then retries it', async () => {
    llm.enqueue('hang');
    const started = performance.now();
    const result = await provider({ timeoutMs: 300 }).generate(request(), 'test-model');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(result.usage.requests).toBe(2);
  });

  it('times out a request that never gets an answer, as unavailable', async () => {
    llm.enqueue('hang');
    const started = performance.now();
    const error = await llmError(
      provider({ timeoutMs: 300, maxRetries: 0 }).generate(request(), 'test-model'),
    );
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, usage: { requests: 1 } });
    expect(error.message).toMatch(/timeout/);
  });

  it('times out a body that stalls after the headers (which the SDK timeout does not cover)', async () => {
    llm.enqueue('stall', 'stall');
    const started = performance.now();
    const error = await llmError(
      provider({ timeoutMs: 300, maxRetries: 1 }).generate(request(), 'test-model'),
    );
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(2_500);
    expect(error).toMatchObject({ kind: 'unavailable', retryable: true, usage: { requests: 2 } });
    expect(error.message).toMatch(/timeout/);
  });

  it('lets the caller abort: the abort propagates and is not retried', async () => {
    llm.enqueue('hang', 'hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await provider({ timeoutMs: 5_000 })
      .generate(request(controller.signal), 'test-model')
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).not.toBeInstanceOf(LlmError);
    expect((error as Error).name).toBe('AbortError');
    expect(llm.calls).toHaveLength(1);
  });
});

describe('openai provider, bad output', () => {
  it('repairs truncated JSON with one more request that shows the model its output and the problem', async () => {
    const truncated = '{"headline": "Reform plan", "summary": "The Minis';
    llm.enqueue({ content: truncated });
    const result = await provider().generate(request(), 'test-model');
    expect(result.value).toEqual(expected());
    expect(result.usage.requests).toBe(2);
    const repair = body(1).messages!;
    expect(repair).toHaveLength(4);
    expect(repair.slice(0, 2)).toEqual(body(0).messages);
    expect(repair[2]).toEqual({ role: 'assistant', content: truncated });
    expect(repair[3]!.role).toBe('user');
    expect(repair[3]!.content).toMatch(/not JSON/);
  });

  it('fails as invalid_output when the output violates the schema twice', async () => {
    llm.enqueue({ content: '{"headline": 1}' }, { content: '{"headline": "x", "summary": "y"}' });
    const error = await llmError(provider().generate(request(), 'test-model'));
    expect(error).toMatchObject({ kind: 'invalid_output', usage: { requests: 2 } });
    expect(error.usage.completionTokens).toBeGreaterThan(0);
    expect(error.message).toMatch(/keyPoints/);
    expect(body(1).messages![3]!.content).toMatch(/headline/);
    expect(llm.calls).toHaveLength(2);
  });

  it('reports a refusal as refusal, without retry or repair', async () => {
    llm.enqueue({ refusal: 'I cannot help with that.' });
    const error = await llmError(provider().generate(request(), 'test-model'));
    expect(error).toMatchObject({ kind: 'refusal', retryable: false, usage: { requests: 1 } });
    // The model's words are for the log, not for the message a client sees.
    expect(error.message).toBe('the model refused');
    expect(error.detail).toBe('I cannot help with that.');
    expect(llm.calls).toHaveLength(1);
  });

  it('reports finish_reason length as length, without repair', async () => {
    llm.enqueue({ content: '{"headline": "Reform', finishReason: 'length' });
    const error = await llmError(provider().generate(request(), 'test-model'));
    expect(error).toMatchObject({ kind: 'length', retryable: false, usage: { requests: 1 } });
    expect(llm.calls).toHaveLength(1);
  });

  it('reports a 401 as unauthorized without retry, and never echoes the API key', async () => {
    llm.enqueue({
      status: 401,
      body: {
        error: { message: `Incorrect API key provided: ${API_KEY}`, type: 'invalid_request_error' },
      },
    });
    const error = await llmError(provider().generate(request(), 'test-model'));
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, usage: { requests: 1 } });
    expect(error.message).toBe('the endpoint refused the credentials (HTTP 401)');
    expect(error.detail).toContain('Incorrect API key provided: [redacted]');
    expect(error.detail).not.toContain(API_KEY);
    expect(JSON.stringify(error)).not.toContain(API_KEY);
    expect(JSON.stringify(error)).not.toContain('Incorrect API key');
    expect(llm.calls).toHaveLength(1);
  });

  it('does not retry other 4xx, and keeps their body out of the message', async () => {
    llm.enqueue({ status: 404, body: { error: { message: 'no such model UPSTREAM-SECRET-123' } } });
    const error = await llmError(provider().generate(request(), 'test-model'));
    expect(error).toMatchObject({ kind: 'bad_request', retryable: false, usage: { requests: 1 } });
    expect(error.message).toBe('the endpoint answered HTTP 404');
    expect(error.detail).toContain('UPSTREAM-SECRET-123');
  });

  it('refuses an answer over maxOutputBytes at once: no repair, no retry', async () => {
    llm.handler = () => ({ ...expected(), summary: 'x'.repeat(20_000) });
    const error = await llmError(
      provider({ maxOutputBytes: 10_000 }).generate(request(), 'test-model'),
    );
    expect(error).toMatchObject({
      kind: 'invalid_output',
      retryable: false,
      usage: { requests: 1 },
    });
    expect(error.message).toMatch(/over MAX_MODEL_OUTPUT_BYTES \(10000 bytes\)/);
    expect(llm.calls).toHaveLength(1);
  });

  it('drops a response body over the raw limit before the SDK parses it, without retry', async () => {
    // 6 × 10,000 + 64 KiB = 125,536 bytes; the answer's escapes would not even be counted.
    llm.handler = () => 'x'.repeat(200_000);
    const error = await llmError(
      provider({ maxOutputBytes: 10_000 }).generate(request(), 'test-model'),
    );
    expect(error).toMatchObject({
      kind: 'invalid_output',
      retryable: false,
      usage: { requests: 1 },
    });
    expect(error.message).toMatch(/over 125536 bytes.*MAX_MODEL_OUTPUT_BYTES \(10000 bytes\)/);
    expect(llm.calls).toHaveLength(1);
  });

  it('reads an error body over the raw limit as far as the limit, and still reads its status', async () => {
    llm.enqueue(
      { status: 500, body: { error: { message: 'x'.repeat(200_000) } } },
      { status: 500 },
    );
    const error = await llmError(
      provider({ maxOutputBytes: 10_000, maxRetries: 1 }).generate(request(), 'test-model'),
    );
    expect(error).toMatchObject({ kind: 'unavailable', usage: { requests: 2 } });
    expect(error.message).toMatch(/HTTP 500/);
  });
});

describe('openai provider, token counting', () => {
  it('uses the real tokenizer for OpenAI model names and an estimate otherwise, fast on pathological text', () => {
    const openai = provider();
    // "hello world" is two tokens in both OpenAI encodings; the estimate says ceil(11 / 4) = 3.
    expect(openai.countTokens('hello world', 'gpt-4o')).toBe(2);
    expect(openai.countTokens('hello world', 'gpt-3.5-turbo')).toBe(2);
    expect(openai.countTokens('hello world', 'llama3.1:8b')).toBe(3);
    expect(openai.countTokens('a literal <|endoftext|> is text', 'gpt-4o')).toBeGreaterThan(5);
    const started = performance.now();
    openai.countTokens('x'.repeat(200_000), 'gpt-4o'); // one 200 000-character BPE piece
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
