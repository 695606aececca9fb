import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_PASSAGE_CHARS, PASSAGES_PER_CLAIM } from '../src/perspectives/passages.js';
import { PerspectivesView } from '../src/perspectives/view.js';
import type { ChatRequest } from './support/llm-server.js';
import { useLlmApp } from './support/llm-app.js';

const seed = (name: string) => readFileSync(new URL(`../seeds/${name}`, import.meta.url), 'utf8');
const ctx = useLlmApp();

/** A long document: the union's reply followed by many unrelated paragraphs. */
const longReply =
  seed('harbour-closure-union-reply.md') +
  Array.from(
    { length: 60 },
    (_, i) =>
      `\n\nParagraph ${i} of the appendix lists shift patterns at berth ${i}, crane hours and the rota for weekend cover.`,
  ).join('');

async function store(text: string): Promise<string> {
  const response = await ctx.t.app.request('/v1/documents', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  return ((await response.json()) as { id: string }).id;
}

const user = (body: ChatRequest) => body.messages?.find((m) => m.role === 'user')?.content ?? '';
const isPerspectives = (body: ChatRequest) => user(body).includes('-----BEGIN CLAIM ');

describe('POST /v1/perspectives against an OpenAI-compatible endpoint', () => {
  it('sends only a fenced claim and its retrieved passages, and never shows an invented quote as verified', async () => {
    const company = await store(seed('harbour-closure-company-statement.md'));
    const union = await store(longReply);
    const passagesSeen: number[] = [];
    ctx.llm.handler = (body) => {
      if (!isPerspectives(body)) return undefined;
      const message = user(body);
      const passages = /-----BEGIN PASSAGES (\w+)-----\n(.*)\n-----END PASSAGES \1-----/.exec(
        message,
      );
      const list = JSON.parse(passages![2]!) as Array<{ passage: number; text: string }>;
      passagesSeen.push(list.length);
      // Answer the first claim about jobs with a quote the other document does not contain,
      // every other claim with the first passage, word for word.
      if (/-----BEGIN CLAIM \w+-----\n[^\n]*186 jobs/.test(message))
        return JSON.stringify({
          responses: [
            {
              passage: 1,
              mark: 'disputes',
              quote: 'The union says the closure will cost nine hundred jobs.',
              note: 'Gives another figure.',
            },
          ],
        });
      return JSON.stringify({
        responses: [
          { passage: 1, mark: 'differs', quote: list[0]!.text.slice(0, 60), note: 'Differs.' },
        ],
      });
    };
    const response = await ctx.t.app.request('/v1/perspectives?wait=30', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [company, union] }),
    });
    expect(response.status).toBe(201);
    const view = PerspectivesView.parse(await response.json());
    expect(view.provider).toBe('openai');
    expect(view.prompt.ref).toBe('brief@5');

    const calls = ctx.llm.calls.filter((call) => isPerspectives(call.body));
    expect(calls.length).toBeGreaterThan(0);
    const bound = 2 * MAX_PASSAGE_CHARS + PASSAGES_PER_CLAIM * (MAX_PASSAGE_CHARS + 30);
    for (const call of calls) {
      const message = user(call.body);
      // Data only between fences, and never the whole of either document.
      expect(message).toMatch(/-----BEGIN CLAIM [0-9a-f]{32}-----/);
      expect(message).not.toContain('Paragraph 59 of the appendix');
      const data = message.slice(message.indexOf('-----BEGIN CLAIM'));
      expect(data.length).toBeLessThan(bound);
      expect(call.body.response_format?.json_schema?.name).toBe('perspectives');
    }
    expect(Math.max(...passagesSeen)).toBeLessThanOrEqual(PASSAGES_PER_CLAIM);

    const jobs = view.result!.claims.find((claim) => claim.citation.quote.includes('186 jobs'))!;
    const invented = jobs.responses[0]!;
    expect(invented.mark).toBe('disputes');
    expect(invented.citation).toMatchObject({ verified: false, start: null, end: null });
    const verbatim = view
      .result!.claims.flatMap((c) => c.responses)
      .filter((r) => r.citation?.verified);
    expect(verbatim.length).toBeGreaterThan(0);
  });

  it('fails cleanly when the model answers outside the schema, and caches nothing for it', async () => {
    const a = await store(seed('harbour-closure-council-note.md'));
    const b = await store(seed('harbour-closure-union-reply.md'));
    ctx.llm.handler = (body) => (isPerspectives(body) ? '{"responses": "not a list"}' : undefined);
    const before = ctx.t.rows().llmCalls;
    const response = await ctx.t.app.request('/v1/perspectives?wait=30', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [a, b] }),
    });
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('llm_invalid_output');
    expect(ctx.t.rows().llmCalls).toBe(before);
  });
});
