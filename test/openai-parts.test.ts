import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Completion } from '../src/llm/openai/chat-completion.js';
import { classify, retryAfter, type Failure } from '../src/llm/openai/classify-error.js';
import { jsonModeInstruction, toStrictJsonSchema } from '../src/llm/openai/json-schema.js';
import { countUtf8Bytes, utf8Bytes } from '../src/lib/chars.js';
import { limitBodies, readOutput, unwrapCodeFence } from '../src/llm/openai/read-output.js';
import { backoff, sleep } from '../src/llm/openai/retry.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** An SDK error for an HTTP answer, built the way the SDK builds it from a response. */
function httpError(status: number, message: string, headers: Record<string, string> = {}) {
  return APIError.generate(status, { error: { message } }, undefined, new Headers(headers));
}

describe('classify', () => {
  it.each([
    [408, 'unavailable'],
    [409, 'unavailable'],
    [429, 'rate_limited'],
    [500, 'unavailable'],
    [503, 'unavailable'],
  ] as const)('retries a %i as %s, with no wait unless one is asked', (status, kind) => {
    const failure = classify(httpError(status, 'try later'), undefined);
    expect(failure).toEqual({
      kind,
      retry: true,
      message: `the endpoint answered HTTP ${status}`,
      detail: `${status} try later`,
    });
    expect('retryAfterMs' in failure).toBe(false);
  });

  it('takes the wait from retry-after-ms, rounded up, before retry-after', () => {
    const headers = { 'retry-after-ms': '1500.2', 'retry-after': '30' };
    expect(classify(httpError(429, 'slow down', headers), undefined).retryAfterMs).toBe(1501);
  });

  it('takes the wait from retry-after in seconds', () => {
    const error = httpError(503, 'busy', { 'retry-after': '2' });
    expect(classify(error, undefined).retryAfterMs).toBe(2_000);
  });

  it('takes the wait from retry-after as an HTTP date, and a past date as no wait', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-03-01T12:00:00Z'));
    const later = { 'retry-after': 'Sat, 01 Mar 2025 12:00:10 GMT' };
    expect(classify(httpError(429, 'slow down', later), undefined).retryAfterMs).toBe(10_000);
    const earlier = { 'retry-after': 'Sat, 01 Mar 2025 11:59:00 GMT' };
    expect(classify(httpError(500, 'oops', earlier), undefined).retryAfterMs).toBe(0);
  });

  it('ignores a retry-after that is neither seconds nor a date', () => {
    const failure = classify(httpError(429, 'slow down', { 'retry-after': 'soon' }), undefined);
    expect(failure.retry).toBe(true);
    expect('retryAfterMs' in failure).toBe(false);
  });

  it('adapts to JSON mode on a 400 or 422 naming response_format, json_schema or schema', () => {
    const messages = [
      [400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported"],
      [422, 'json_schema is not supported by this model'],
      [400, 'Invalid Schema for response_format'],
    ] as const;
    for (const [status, message] of messages) {
      expect(classify(httpError(status, message), undefined)).toEqual({
        kind: 'bad_request',
        retry: false,
        message: `the endpoint answered HTTP ${status}`,
        detail: `${status} ${message}`,
        adapt: 'json_mode',
      } satisfies Failure);
    }
  });

  it('adapts to max_completion_tokens on a 400 naming it and max_tokens', () => {
    const message =
      "Unsupported parameter: 'max_tokens' is not supported with this model. " +
      "Use 'max_completion_tokens' instead.";
    const failure = classify(httpError(400, message), undefined);
    expect(failure.adapt).toBe('max_completion_tokens');
    expect(failure.retry).toBe(false);
    expect(failure.kind).toBe('bad_request');
  });

  it('finds the parameter names in the error body too, not only in the message', () => {
    const error = APIError.generate(
      400,
      { error: { message: 'Unsupported parameter', param: 'response_format' } },
      undefined,
      new Headers(),
    );
    expect(classify(error, undefined).adapt).toBe('json_mode');
  });

  it('does not adapt on a 400 naming only max_tokens', () => {
    const failure = classify(httpError(400, 'max_tokens is too large: 999999'), undefined);
    expect(failure).toEqual({
      kind: 'bad_request',
      retry: false,
      message: 'the endpoint answered HTTP 400',
      detail: '400 max_tokens is too large: 999999',
    });
  });

  it.each([401, 403, 404, 413])('neither retries nor adapts on a %i', (status) => {
    const failure = classify(httpError(status, 'no: response_format json_schema'), undefined);
    expect(failure.kind).toBe(status === 401 || status === 403 ? 'unauthorized' : 'bad_request');
    expect(failure.retry).toBe(false);
    expect(failure.adapt).toBeUndefined();
  });

  it.each([401, 403])(
    'reports a %i as unauthorized, keeping the body out of the message',
    (status) => {
      const failure = classify(
        httpError(status, 'Incorrect API key UPSTREAM-SECRET-123'),
        undefined,
      );
      expect(failure).toEqual({
        kind: 'unauthorized',
        retry: false,
        message: `the endpoint refused the credentials (HTTP ${status})`,
        detail: `${status} Incorrect API key UPSTREAM-SECRET-123`,
      });
    },
  );

  it('keeps a body that is not JSON, or has no message, out of the message', () => {
    const text = APIError.generate(
      500,
      undefined,
      '<html>UPSTREAM-SECRET-123</html>',
      new Headers(),
    );
    expect(classify(text, undefined).message).toBe('the endpoint answered HTTP 500');
    expect(classify(text, undefined).detail).toContain('UPSTREAM-SECRET-123');
    const odd = APIError.generate(400, { oops: 'UPSTREAM-SECRET-123' }, undefined, new Headers());
    expect(classify(odd, undefined).message).toBe('the endpoint answered HTTP 400');
  });

  it('reports our own deadline as a retryable timeout, whatever the error', () => {
    const failure = classify(httpError(400, 'bad'), 400);
    expect(failure).toEqual({
      kind: 'unavailable',
      retry: true,
      message: 'timeout: no complete answer within 400 ms',
    });
  });

  it('reports a connection error as unavailable, with its cause', () => {
    const error = new APIConnectionError({
      message: 'Connection error.',
      cause: new Error('connect ECONNREFUSED 127.0.0.1:1'),
    });
    expect(classify(error, undefined)).toEqual({
      kind: 'unavailable',
      retry: true,
      message: 'Connection error.',
      detail: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    const timeout = classify(new APIConnectionTimeoutError(), undefined);
    expect(timeout).toEqual({ kind: 'unavailable', retry: true, message: 'Request timed out.' });
  });

  it('treats anything else (a body cut off mid-read) as transient', () => {
    expect(classify(new TypeError('terminated'), undefined)).toEqual({
      kind: 'unavailable',
      retry: true,
      message: 'the request failed (TypeError)',
      detail: 'terminated',
    });
    expect(classify('odd', undefined)).toMatchObject({
      message: 'the request failed',
      detail: 'odd',
    });
    // A parser's message quotes the body it read: only its name is shown.
    const parse = classify(new SyntaxError('Unexpected token "UPSTREAM-SECRET-123"'), undefined);
    expect(parse.message).toBe('the request failed (SyntaxError)');
  });
});

describe('retryAfter', () => {
  it('is undefined without headers or without a usable value', () => {
    expect(retryAfter(undefined)).toBeUndefined();
    expect(retryAfter(new Headers())).toBeUndefined();
    expect(retryAfter(new Headers({ 'retry-after-ms': '-5' }))).toBeUndefined();
  });

  it('falls back to retry-after when retry-after-ms is not a number', () => {
    const headers = new Headers({ 'retry-after-ms': 'x', 'retry-after': '0.25' });
    expect(retryAfter(headers)).toBe(250);
  });
});

const Answer = z.object({ answer: z.number() });

function completion(
  message: { content?: string | null; refusal?: string | null },
  finishReason: string | null = 'stop',
): Completion {
  return Completion.parse({
    model: 'test-model',
    choices: [{ message, finish_reason: finishReason }],
  });
}

/** The limits readOutput checks: `maxOutputTokens`, and MAX_MODEL_OUTPUT_BYTES. */
const limits = (maxOutputTokens: number, maxOutputBytes = 10_000) => ({
  maxOutputTokens,
  maxOutputBytes,
});

describe('readOutput', () => {
  it('reads a JSON object that matches the schema', () => {
    const output = readOutput(completion({ content: '{"answer":42}' }), Answer, limits(100));
    expect(output).toEqual({ ok: true, value: { answer: 42 } });
  });

  it('reads JSON wrapped in a code fence', () => {
    const content = '```json\n{"answer": 7}\n```';
    const output = readOutput(completion({ content }), Answer, limits(100));
    expect(output).toEqual({ ok: true, value: { answer: 7 } });
  });

  it('reports a refusal, without offering a repair', () => {
    const output = readOutput(
      completion({ content: null, refusal: 'I cannot help' }),
      Answer,
      limits(100),
    );
    expect(output).toEqual({
      ok: false,
      error: { kind: 'refusal', message: 'the model refused', detail: 'I cannot help' },
    });
  });

  it('reports finish_reason content_filter as a refusal', () => {
    const filtered = completion({ content: '{"answer":1}' }, 'content_filter');
    const output = readOutput(filtered, Answer, limits(100));
    expect(output.error).toEqual({
      kind: 'refusal',
      message: 'the endpoint withheld the output (finish_reason content_filter)',
    });
  });

  it('reports finish_reason length as a cut-off at the limit', () => {
    const output = readOutput(completion({ content: '{"answ' }, 'length'), Answer, limits(1_500));
    expect(output.error).toEqual({
      kind: 'length',
      message: 'the output was cut off at the limit of 1500 output tokens',
    });
  });

  it('offers a repair for content that is not JSON, quoting it back', () => {
    const output = readOutput(completion({ content: 'Sure! Here it is.' }), Answer, limits(100));
    expect(output.ok).toBe(false);
    if (output.ok || output.error) throw new Error('expected a repairable output');
    expect(output.content).toBe('Sure! Here it is.');
    expect(output.problem).toMatch(/^it is not JSON \(.+\)$/);
    expect(output.reason).toBe('it is not JSON');
  });

  it('reads a missing content as empty, which is not JSON', () => {
    const output = readOutput(completion({ content: null }), Answer, limits(100));
    if (output.ok || output.error) throw new Error('expected a repairable output');
    expect(output.content).toBe('');
    expect(output.problem).toMatch(/^it is not JSON/);
  });

  it('offers a repair for JSON that does not match the schema, naming the field', () => {
    const output = readOutput(completion({ content: '{"answer":"many"}' }), Answer, limits(100));
    if (output.ok || output.error) throw new Error('expected a repairable output');
    expect(output.content).toBe('{"answer":"many"}');
    expect(output.problem).toMatch(/^it does not match the schema:\n/);
    expect(output.problem).toContain('answer');
    expect(output.reason).toBe(output.problem);
  });

  it('refuses content over maxOutputBytes, counted in UTF-8, without offering a repair', () => {
    const within = `{"answer":1}${' '.repeat(88)}`; // 100 bytes
    expect(readOutput(completion({ content: within }), Answer, limits(100, 100)).ok).toBe(true);
    for (const content of [`${within} `, `{"answer":1}${' '.repeat(87)}é`]) {
      const output = readOutput(completion({ content }), Answer, limits(100, 100));
      expect(output.error).toEqual({
        kind: 'invalid_output',
        message: "the model's output is 101 bytes, over MAX_MODEL_OUTPUT_BYTES (100 bytes)",
      });
    }
    // Checked before anything else: even a refusal or a cut-off over the limit is refused as such.
    const cut = readOutput(
      completion({ content: 'x'.repeat(101) }, 'length'),
      Answer,
      limits(100, 100),
    );
    expect(cut.error?.kind).toBe('invalid_output');
  });
});

describe('utf8Bytes', () => {
  it('counts as TextEncoder does, surrogate pairs and lone surrogates included, with Buffer and without', () => {
    for (const text of [
      '',
      'abc',
      'é',
      '€',
      '😀',
      'a😀b',
      '\ud800',
      '\udc00x',
      'x\ud83d',
      '\u0000\u07ff\u0800\uffff',
    ]) {
      const encoded = new TextEncoder().encode(text).length;
      expect(utf8Bytes(text), JSON.stringify(text)).toBe(encoded);
      expect(countUtf8Bytes(text), JSON.stringify(text)).toBe(encoded);
    }
  });
});

describe('limitBodies', () => {
  const answer = (body: string, headers: Record<string, string>) =>
    new Response(body, { status: 200, headers });
  const trusting = { trustLength: true };

  it('passes a body of a declared length within the limit through as it came, when trusted', async () => {
    const trusted: Record<string, string>[] = [
      { 'content-length': '11' },
      { 'content-length': '11', 'content-encoding': 'identity' },
    ];
    for (const headers of trusted) {
      const response = answer('{"ok":true}', headers);
      expect(await limitBodies(async () => response, 100, trusting)('http://x')).toBe(response);
      // Not trusted (another runtime's fetch): wrapped to be counted.
      const counted = await limitBodies(
        async () => answer('{"ok":true}', headers),
        100,
      )('http://x');
      expect(await counted.json()).toEqual({ ok: true });
    }
  });

  it('fails a declared length over the limit at once, and counts what it cannot trust', async () => {
    const long = 'x'.repeat(200);
    await expect(
      limitBodies(async () => answer(long, { 'content-length': '200' }), 100, trusting)('http://x'),
    ).rejects.toThrow(/100 bytes/);
    // Compressed (the length is the encoded one), declared as no number, or not declared.
    const untrusted: Record<string, string>[] = [
      { 'content-length': '20', 'content-encoding': 'gzip' },
      { 'content-length': '' },
      {},
    ];
    for (const headers of untrusted) {
      const response = await limitBodies(
        async () => answer(long, headers),
        100,
        trusting,
      )('http://x');
      await expect(response.text()).rejects.toThrow(/100 bytes/);
    }
  });
});

describe('Completion', () => {
  it('accepts the fields it reads and refuses a completion without choices', () => {
    expect(completion({ content: 'x' }).choices[0]!.message.content).toBe('x');
    expect(Completion.safeParse({ choices: [] }).success).toBe(false);
    expect(Completion.safeParse({ error: 'no' }).success).toBe(false);
  });
});

describe('backoff', () => {
  it('is 50 % of 250 ms · 2^attempt at the lowest jitter and 100 % at the highest', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    expect([0, 1, 3].map(backoff)).toEqual([125, 250, 1_000]);
    random.mockReturnValue(1);
    expect([0, 1, 3].map(backoff)).toEqual([250, 500, 2_000]);
  });

  it('is capped at 8 s', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(1);
    expect([5, 6, 20].map(backoff)).toEqual([8_000, 8_000, 8_000]);
    random.mockReturnValue(0);
    expect(backoff(20)).toBe(4_000);
  });

  it('stays within its bounds with real jitter', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(8_000, 250 * 2 ** attempt);
      for (let sample = 0; sample < 50; sample++) {
        const wait = backoff(attempt);
        expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
        expect(wait).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe('sleep', () => {
  it('resolves after the given time', async () => {
    vi.useFakeTimers();
    let done = false;
    const slept = sleep(1_000, new AbortController().signal).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('rejects with the reason when the signal aborts while it waits', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(sleep(60_000, controller.signal)).rejects.toThrow('already');
  });
});

describe('jsonModeInstruction', () => {
  it('spells out the strict JSON schema', () => {
    const instruction = jsonModeInstruction(Answer);
    expect(instruction).toMatch(/^Respond with one JSON object and nothing else\./);
    expect(instruction.endsWith(JSON.stringify(toStrictJsonSchema(Answer)))).toBe(true);
    expect(instruction).toContain('"additionalProperties":false');
  });
});

/** The regex `unwrapCodeFence` replaced; fine on short inputs, about cubic on long ones. */
function unwrapByRegex(content: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  return match ? match[1]! : content;
}

describe('unwrapCodeFence', () => {
  it.each([
    ['```json\n{"a":1}\n```', '{"a":1}'],
    ['```\n{"a":1}\n```', '{"a":1}'],
    [' \n ```json  \n{"a":1}\n  ```\n\n ', '{"a":1}'],
    ['```json\n{\n  "a": 1\n}\n```', '{\n  "a": 1\n}'],
    ['```json\n\n\n  {"a":1}  \n\n```', '  {"a":1}  '],
    ['```json\n{"a":"```"}\n```', '{"a":"```"}'],
    ['```json\r\n{"a":1}\r\n```', '{"a":1}\r'],
    ['```json\n\n```', ''],
  ])('unwraps %j', (content, inner) => {
    expect(unwrapCodeFence(content)).toBe(inner);
  });

  it.each([
    '{"a":1}',
    '```json\n{"a":1}',
    '{"a":1}\n```',
    '```json {"a":1}\n```',
    '```json\n{"a":1}```',
    '```js\n{"a":1}\n```',
    '```JSON\n{"a":1}\n```',
    '```json\n{"a":1}\n```\nmore',
    '```json\n```',
    '```',
    '',
  ])('leaves %j as it is', (content) => {
    expect(unwrapCodeFence(content)).toBe(content);
  });

  it('gives the same results as the regex it replaced', () => {
    // A small deterministic generator (mulberry32), biased towards fence-like strings.
    let seed = 12;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const pieces = ['```', '`', 'json', '\n', '\n', ' ', '\t', '\r', '\u00a0', '{}', 'x', '\n```'];
    const piece = () => pieces[Math.floor(random() * pieces.length)];
    const pick = (most: number) =>
      Array.from({ length: Math.floor(random() * (most + 1)) }, piece).join('');
    let unwrapped = 0;
    for (let sample = 0; sample < 20_000; sample++) {
      const content =
        random() < 0.8
          ? `${pick(2)}\`\`\`${random() < 0.5 ? 'json\n' : '\n'}${pick(5)}\n\`\`\`${pick(2)}`
          : pick(10);
      const expected = unwrapByRegex(content);
      expect(unwrapCodeFence(content), JSON.stringify(content)).toBe(expected);
      if (expected !== content) unwrapped++;
    }
    // The comparison means something only if many samples were unwrapped and many were not.
    expect(unwrapped).toBeGreaterThan(3_000);
    expect(20_000 - unwrapped).toBeGreaterThan(3_000);
  });

  it('takes linear time on long runs of newlines', () => {
    const newlines = '\n'.repeat(100_000);
    const opened = `\`\`\`json${newlines}`;
    const started = performance.now();
    expect(unwrapCodeFence(opened)).toBe(opened);
    expect(unwrapCodeFence(`${opened}\`\`\``)).toBe('');
    expect(unwrapCodeFence(`${opened}x${newlines}\`\`\``)).toBe('x');
    expect(unwrapCodeFence(`${opened}x${newlines}`)).toBe(`${opened}x${newlines}`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
