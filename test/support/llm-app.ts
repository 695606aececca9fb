import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createTestApp, type TestApp } from './app.js';
import { startLlmServer, type LlmServer } from './llm-server.js';

/**
 * For a test file: the OpenAI-compatible test server, and the real app pointed at it (model
 * `test-model`, plus `env`), started before the file's tests, reset before each, closed after.
 * Read `ctx.llm` and `ctx.t` inside tests, once the hooks have run.
 */
export function useLlmApp(env: Record<string, string> = {}): { llm: LlmServer; t: TestApp } {
  const ctx = {} as { llm: LlmServer; t: TestApp };
  beforeAll(async () => {
    ctx.llm = await startLlmServer();
    ctx.t = await createTestApp({ OPENAI_BASE_URL: ctx.llm.url, LLM_MODEL: 'test-model', ...env });
  });
  afterAll(async () => {
    await ctx.t.close();
    await ctx.llm.close();
  });
  beforeEach(() => ctx.llm.reset());
  return ctx;
}
