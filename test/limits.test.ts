import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../src/errors.js';
import { createTestApp, policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

// Issue 17: what one request may cost is bounded by configuration and checked before anything
// is stored or any call is made. Sized down here by the settings themselves.

const evalRows = (sqlite: { prepare(sql: string): { get(): unknown } }) =>
  (sqlite.prepare('select count(*) as n from evals').get() as { n: number }).n;

describe('MAX_CHUNKS_PER_BRIEF', () => {
  const ctx = useLlmApp({ CHUNK_TOKENS: '300', MAX_CHUNKS_PER_BRIEF: '3' });

  it('refuses a document that needs more chunks with 413, before storing it or calling the model', async () => {
    const response = await ctx.t.postJson({ text: policyDocument(12, 'chunk-cap') });
    expect(response.status).toBe(413);
    const { error } = ErrorBody.parse(await response.json());
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain('MAX_CHUNKS_PER_BRIEF');
    expect(ctx.t.rows()).toEqual({ documents: 0, briefs: 0, llmCalls: 0 });
    expect(ctx.llm.calls).toHaveLength(0);
  });

  it('briefs a document within the cap', async () => {
    const response = await ctx.t.postJson({ text: policyDocument(2, 'chunk-cap-small') });
    expect(response.status).toBe(201);
    expect(ctx.llm.calls.length).toBeLessThanOrEqual(3 + 1);
  });
});

describe('MAX_EVAL_BRIEFS', () => {
  it('refuses an evaluation of more briefs than allowed with 413, duplicate refs counted once', async () => {
    const t = await createTestApp({ LLM_PROVIDER: 'local', MAX_EVAL_BRIEFS: '3' });
    try {
      const documents = [1, 2].map((i) => ({
        id: `d${i}`,
        document: `The Council said the bridge ${i} opens in May. Residents say it is unsafe.`,
      }));
      const start = (prompts: string[]) =>
        t.app.request('/v1/evals', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompts, documents }),
        });
      const refused = await start(['brief@1', 'brief@2']);
      expect(refused.status).toBe(413);
      const { error } = ErrorBody.parse(await refused.json());
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain('MAX_EVAL_BRIEFS');
      expect(evalRows(t.sqlite)).toBe(0);
      expect(t.rows()).toEqual({ documents: 0, briefs: 0, llmCalls: 0 });
      // brief, brief@latest and the newest brief@N are one version: 2 documents × 1 = 2 briefs.
      const latest = (await (await t.app.request('/v1/prompts/brief@latest')).json()) as {
        ref: string;
      };
      const accepted = await start(['brief', 'brief@latest', latest.ref]);
      expect(accepted.status).toBe(202);
    } finally {
      await t.close();
    }
  });
});
