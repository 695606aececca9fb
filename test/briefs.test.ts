import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BriefView } from '../src/briefs/view.js';
import { DocumentView } from '../src/documents/queries.js';
import { ErrorBody } from '../src/errors.js';
import { policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';
import { idle } from '../src/briefs/context.js';

const ListBody = z.object({ items: z.array(BriefView), nextCursor: z.string().nullable() });

const ctx = useLlmApp({ OPENAI_API_KEY: 'test-key' });

const document = `${policyDocument(6)}\n\nThe Minister said: "This plan ends the housing crisis for good."`;

describe('POST /v1/briefs', () => {
  it('makes a cited brief through the LLM endpoint, with provenance', async () => {
    const response = await ctx.t.postJson({
      text: document,
      title: 'Housing plan',
      prompt: 'brief@1',
    });
    expect(response.status).toBe(201);
    const view = BriefView.parse(await response.json());
    expect(view).toMatchObject({
      status: 'succeeded',
      cached: false,
      provider: 'openai',
      model: 'test-model',
    });
    expect(view.prompt).toMatchObject({ ref: 'brief@1', name: 'brief', version: 1 });
    expect(view.prompt.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(view.document).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      title: 'Housing plan',
    });
    expect(view.usage).toMatchObject({ calls: 1, cachedCalls: 0, requests: 1 });
    expect(view.usage!.promptTokens).toBeGreaterThan(0);
    expect(view.chunks).toBe(1);

    // Every citation the fake model made is a verbatim span, located at the right offsets.
    const citations = [...view.brief!.keyPoints, ...view.brief!.counterPerspectives].flatMap(
      (item) => item.citations,
    );
    expect(citations.length).toBeGreaterThan(0);
    for (const citation of citations) {
      expect(citation.verified).toBe(true);
      expect(document.slice(citation.start!, citation.end!)).toBe(citation.quote);
    }

    // The endpoint saw instructions in the system message, the document fenced in the user message, and a strict schema.
    expect(ctx.llm.calls).toHaveLength(1);
    const body = ctx.llm.calls[0]!.body as {
      messages: { role: string; content: string }[];
      response_format: { type: string; json_schema: { strict: boolean } };
    };
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const fence =
      /-----BEGIN DOCUMENT ([0-9a-f]{32})-----\n([\s\S]*)\n-----END DOCUMENT \1-----/.exec(
        body.messages[1]!.content,
      );
    expect(fence?.[2]).toBe(document);
    expect(body.messages[0]!.content).toContain(fence![1]);
    expect(body.messages[0]!.content).not.toContain('housing programme will deliver');
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.strict).toBe(true);
  });

  it('serves the same document again from the cache, with no LLM call', async () => {
    const first = BriefView.parse(
      await (await ctx.t.postJson({ text: document, prompt: 'brief@1' })).json(),
    );
    ctx.llm.reset();
    const started = performance.now();
    const again = await ctx.t.postJson({
      text: `  ${document.replace(/\n\n/g, '\r\n\r\n')}  `,
      prompt: 'brief@1',
    });
    const elapsed = performance.now() - started;
    expect(again.status).toBe(200);
    const view = BriefView.parse(await again.json());
    expect(view).toMatchObject({ id: first.id, cached: true, status: 'succeeded' });
    expect(view.brief).toEqual(first.brief);
    expect(ctx.llm.calls).toHaveLength(0);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('makes a new brief beside the old one for another prompt version, and lists both', async () => {
    const v1 = BriefView.parse(
      await (await ctx.t.postJson({ text: document, prompt: 'brief@1' })).json(),
    );
    const response = await ctx.t.postJson({ text: document, prompt: 'brief@2' });
    expect(response.status).toBe(201);
    const v2 = BriefView.parse(await response.json());
    expect(v2.id).not.toBe(v1.id);
    expect(v2.prompt.ref).toBe('brief@2');
    expect(v2.prompt.sha256).not.toBe(v1.prompt.sha256);
    expect(v2.document.id).toBe(v1.document.id);

    const list = ListBody.parse(
      await (await ctx.t.app.request(`/v1/briefs?document=${v1.document.id}`)).json(),
    );
    expect(list.items.map((item) => item.prompt.ref).sort()).toEqual(['brief@1', 'brief@2']);
    const onlyV2 = ListBody.parse(
      await (
        await ctx.t.app.request(`/v1/briefs?document=${v1.document.id}&prompt=brief@2`)
      ).json(),
    );
    expect(onlyV2.items.map((item) => item.id)).toEqual([v2.id]);

    const doc = DocumentView.parse(
      await (await ctx.t.app.request(`/v1/documents/${v1.document.id}?include=text`)).json(),
    );
    expect(doc.text).toBe(document);
    expect(doc.briefs.map((b) => b.id).sort()).toEqual([v1.id, v2.id].sort());
    const withoutText = DocumentView.parse(
      await (await ctx.t.app.request(`/v1/documents/${v1.document.id}`)).json(),
    );
    expect(withoutText.text).toBeUndefined();
  });

  it('accepts a raw text/plain body with prompt and title in the query', async () => {
    const response = await ctx.t.app.request('/v1/briefs?prompt=brief@1&title=Raw', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'A raw document. The Council said the plan costs 4 million pounds. Residents were not consulted.',
    });
    expect(response.status).toBe(201);
    expect(BriefView.parse(await response.json()).document.title).toBe('Raw');
  });

  it('answers 202 with a Location when the brief is still running after ?wait=0', async () => {
    ctx.llm.latencyMs = 300;
    const response = await ctx.t.postJson(
      { text: `${document} Slow variant.`, prompt: 'brief@1' },
      '?wait=0',
    );
    expect(response.status).toBe(202);
    const view = BriefView.parse(await response.json());
    expect(view.status).toBe('running');
    expect(response.headers.get('location')).toBe(`/v1/briefs/${view.id}`);
    await idle(ctx.t.deps.briefs);
    const done = BriefView.parse(await (await ctx.t.app.request(`/v1/briefs/${view.id}`)).json());
    expect(done.status).toBe('succeeded');
    ctx.llm.latencyMs = 0;
  });

  it('marks a quote the model invented as unverified, never verified', async () => {
    ctx.llm.handler = (_body) => ({
      headline: 'Plan',
      summary: 'The document describes a plan.',
      keyPoints: [
        {
          text: 'Invented',
          citations: [{ quote: 'The Ministry promised free houses for everyone in 2025.' }],
        },
        { text: 'Real', citations: [{ quote: 'This plan ends the housing crisis for good.' }] },
      ],
      stakeholders: [],
      counterPerspectives: [],
    });
    // Another model name: a new cache key, so the scripted answer is used.
    const response = await ctx.t.postJson({
      text: document,
      prompt: 'brief@1',
      model: 'inventive-model',
    });
    const view = BriefView.parse(await response.json());
    expect(view.status).toBe('succeeded');
    const [fake, real] = view.brief!.keyPoints;
    expect(fake!.citations[0]).toEqual({
      quote: 'The Ministry promised free houses for everyone in 2025.',
      start: null,
      end: null,
      verified: false,
    });
    expect(real!.citations[0]!.verified).toBe(true);
    ctx.llm.handler = undefined;
  });
});

describe('GET routes', () => {
  it('paginates the list with a cursor, newest first, without repeats', async () => {
    for (let i = 0; i < 5; i++)
      await ctx.t.postJson({
        text: `Paging document number ${i}. The Council said it will act.`,
        prompt: 'brief@1',
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/briefs?limit=2&prompt=brief@1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = ListBody.parse(await (await ctx.t.app.request(query)).json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    const all = ListBody.parse(
      await (await ctx.t.app.request('/v1/briefs?limit=100&prompt=brief@1')).json(),
    );
    expect(all.items.map((item) => item.id)).toEqual(seen);
  });

  it('filters by status and model', async () => {
    const succeeded = ListBody.parse(
      await (
        await ctx.t.app.request('/v1/briefs?status=succeeded&model=test-model&limit=100')
      ).json(),
    );
    expect(succeeded.items.length).toBeGreaterThan(0);
    expect(
      succeeded.items.every((item) => item.status === 'succeeded' && item.model === 'test-model'),
    ).toBe(true);
    const failed = ListBody.parse(
      await (await ctx.t.app.request('/v1/briefs?status=failed')).json(),
    );
    expect(failed.items).toEqual([]);
  });

  it('returns 404 not_found for an unknown brief id and 400 for a malformed one', async () => {
    const missing = await ctx.t.app.request('/v1/briefs/brf_000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await missing.json()).error.code).toBe('not_found');
    const malformed = await ctx.t.app.request('/v1/briefs/not-an-id');
    expect(malformed.status).toBe(400);
    expect(ErrorBody.parse(await malformed.json()).error.code).toBe('invalid_request');
  });

  it('lists prompt versions and shows one, resolving @latest', async () => {
    const list = (await (await ctx.t.app.request('/v1/prompts')).json()) as {
      items: { ref: string; latest: boolean }[];
    };
    expect(list.items.map((p) => p.ref)).toEqual(
      expect.arrayContaining(['brief@1', 'brief@2', 'brief@3', 'brief@4', 'brief@5']),
    );
    expect(list.items.find((p) => p.latest)?.ref).toBe('brief@5');
    const latest = (await (await ctx.t.app.request('/v1/prompts/brief@latest')).json()) as {
      ref: string;
      templates: Record<string, string>;
    };
    expect(latest.ref).toBe('brief@5');
    expect(Object.keys(latest.templates).sort()).toEqual([
      'map',
      'perspectives',
      'reduce',
      'system',
    ]);
    const unknown = await ctx.t.app.request('/v1/prompts/brief@99');
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(await unknown.json()).error.code).toBe('unknown_prompt');
  });

  it('reports health', async () => {
    const response = await ctx.t.app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      provider: 'openai',
      model: 'test-model',
    });
  });
});
