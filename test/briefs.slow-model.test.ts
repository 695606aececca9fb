import { Agent, type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { parseConfig } from '../src/config.js';
import { ErrorBody } from '../src/errors.js';
import { createTestApp, type TestApp } from './support/app.js';
import { startLlmServer, type LlmServer } from './support/llm-server.js';

/**
 * A slow model gets the time LLM_TIMEOUT_MS gives it (issue 14): Node's fetch has its own
 * ceilings on waiting for headers and between body chunks (undici's 300 s), which used to fail
 * slow local models whatever LLM_TIMEOUT_MS said. Scaled down: the process-wide dispatcher
 * gives up after 500 ms, standing in for the 300 s default, and the model answers after 1.5 s.
 */
const STRICT_MS = 500;
let llm: LlmServer;
let patient: TestApp;
let hasty: TestApp;
let previous: Dispatcher;
let strict: Agent;
let n = 0;

/** A new document per case, so no case is served from another's cache. */
const newDocument = () =>
  `Case ${++n}: the Agency said the scheme saved 12 million. The union said it did not.`;

beforeAll(async () => {
  previous = getGlobalDispatcher();
  strict = new Agent({ headersTimeout: STRICT_MS, bodyTimeout: STRICT_MS });
  setGlobalDispatcher(strict);
  llm = await startLlmServer();
  const env = { OPENAI_BASE_URL: llm.url, LLM_MODEL: 'test-model', LLM_MAX_RETRIES: '0' };
  patient = await createTestApp({ ...env, LLM_TIMEOUT_MS: '5000' });
  hasty = await createTestApp({ ...env, LLM_TIMEOUT_MS: '2000' });
});
afterAll(async () => {
  setGlobalDispatcher(previous);
  await Promise.all([patient?.close(), hasty?.close()]);
  await llm?.close();
  await strict?.destroy();
});
beforeEach(() => llm.reset());

describe('a model slower than the transport default', () => {
  it('the stand-in default bites: a plain fetch gives up waiting for its headers', async () => {
    llm.latencyMs = 1_500;
    const request = fetch(`${llm.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test-model', messages: [] }),
    });
    await expect(request).rejects.toMatchObject({ cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } });
  });

  it('answering after 1.5 s within LLM_TIMEOUT_MS=5000: the brief succeeds', async () => {
    llm.latencyMs = 1_500;
    const started = performance.now();
    const response = await patient.postJson({ text: newDocument(), prompt: 'brief@1' });
    const text = await response.text();
    expect(response.status, text).toBe(201);
    const view = BriefView.parse(JSON.parse(text));
    expect(view).toMatchObject({ status: 'succeeded', usage: { calls: 1, requests: 1 } });
    expect(llm.calls).toHaveLength(1);
    // The model was waited for, not answered by a retry or the cache.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('slower than LLM_TIMEOUT_MS=2000: fails with the clean timeout, at our deadline', async () => {
    llm.latencyMs = 3_500;
    const started = performance.now();
    const response = await hasty.postJson({ text: newDocument(), prompt: 'brief@1' });
    const text = await response.text();
    expect(response.status, text).toBe(503);
    const { error } = ErrorBody.parse(JSON.parse(text));
    expect(error.code).toBe('llm_unavailable');
    // Our own deadline's words, not the transport's ("Request timed out." after 500 ms).
    expect(error.message).toMatch(/timeout: no complete answer within 2000 ms/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(llm.calls).toHaveLength(1);
  });
});

describe('LLM_TIMEOUT_MS', () => {
  it('allows up to 30 minutes, for a slow local model on a long chunk', () => {
    expect(parseConfig({}).LLM_TIMEOUT_MS).toBe(120_000);
    expect(parseConfig({ LLM_TIMEOUT_MS: '1800000' }).LLM_TIMEOUT_MS).toBe(1_800_000);
    expect(() => parseConfig({ LLM_TIMEOUT_MS: '1800001' })).toThrow(/LLM_TIMEOUT_MS/);
    expect(() => parseConfig({ LLM_TIMEOUT_MS: '99' })).toThrow(/LLM_TIMEOUT_MS/);
  });
});
