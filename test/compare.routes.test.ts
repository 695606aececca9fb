import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { ErrorBody } from '../src/errors.js';
import { loadCorpus } from '../src/evals/corpus.js';
import { evalMarkdown } from '../src/evals/markdown.js';
import { runEval } from '../src/evals/run.js';
import { createTestApp, type TestApp } from './support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LLM_PROVIDER: 'local' });
});
afterAll(async () => {
  await t.close();
});

const seed = readFileSync('seeds/rent-cap-press-release.md', 'utf8');

describe('GET /v1/compare (offline analyst)', () => {
  it('says which version is missing, makes it with run=true, then compares by refs and by ids', async () => {
    const first = BriefView.parse(
      await (await t.postJson({ text: seed, prompt: 'brief@1' })).json(),
    );
    const documentId = first.document.id;

    const missing = await t.app.request(`/v1/compare?document=${documentId}&a=brief@1&b=brief@2`);
    expect(missing.status).toBe(404);
    const error = ErrorBody.parse(await missing.json()).error;
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('brief@2');
    expect(error.details).toEqual({ missing: 'brief@2' });

    const made = await t.app.request(
      `/v1/compare?document=${documentId}&a=brief@1&b=brief@latest&run=true`,
    );
    expect(made.status).toBe(200);
    const comparison = (await made.json()) as Record<string, any>;
    expect(comparison.a.id).toBe(first.id);
    expect(comparison.b.prompt.ref).toBe('brief@5');
    expect(comparison.summaryDiff.length).toBeGreaterThan(0);
    for (const side of ['a', 'b']) {
      const metrics = comparison.metrics[side];
      expect(metrics.citationsVerified).toBe(1); // the analyst only quotes the source
      expect(metrics.coverage).toBeGreaterThan(0);
      expect(metrics.words).toBeGreaterThan(0);
    }
    // brief@5 (as brief@4) asks for at most six notes, brief@1 for eight
    expect(comparison.metrics.b.notes).toBeLessThanOrEqual(6);
    expect(comparison.rouge.rougeL.f1).toBeGreaterThan(0);
    expect(['kept', 'changed', 'added', 'dropped']).toEqual(
      expect.arrayContaining(comparison.keyPoints.map((m: { status: string }) => m.status)),
    );

    const byIds = await t.app.request(`/v1/compare?briefs=${comparison.a.id},${comparison.b.id}`);
    expect(byIds.status).toBe(200);
    expect(((await byIds.json()) as { counts: unknown }).counts).toEqual(comparison.counts);
  });

  it('rejects comparisons it cannot make', async () => {
    const one = BriefView.parse(
      await (
        await t.postJson({ text: 'A first document. The Council said it will act soon.' })
      ).json(),
    );
    const two = BriefView.parse(
      await (await t.postJson({ text: 'A second document. The Board said it will wait.' })).json(),
    );
    const different = await t.app.request(`/v1/compare?briefs=${one.id},${two.id}`);
    expect(different.status).toBe(400);
    expect(ErrorBody.parse(await different.json()).error.message).toContain('different documents');
    expect((await t.app.request('/v1/compare')).status).toBe(400);
    expect(
      (await t.app.request(`/v1/compare?document=${one.document.id}&a=brief@1&b=brief@9`)).status,
    ).toBe(404);
  });
});

describe('GET /v1/prompts/:ref/diff/:other', () => {
  it('shows the text diff between two versions', async () => {
    const response = await t.app.request('/v1/prompts/brief@1/diff/brief@2');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      a: { ref: string };
      b: { ref: string };
      parts: { type: string; text: string }[];
      unified: string;
      paramsChanged: string[];
    };
    expect([body.a.ref, body.b.ref]).toEqual(['brief@1', 'brief@2']);
    expect(body.parts.some((p) => p.type === 'added')).toBe(true);
    expect(
      body.parts
        .filter((p) => p.type !== 'added')
        .map((p) => p.text)
        .join(''),
    ).toBe(readFileSync('prompts/brief/v1.md', 'utf8'));
    expect(body.unified).toContain('+++ prompts/brief/v2.md');
    expect(body.paramsChanged).toEqual(expect.arrayContaining(['summaryWords', 'maxNotes']));
  });
});

describe('corpus eval', () => {
  it('runs every version over the corpus, is served from the cache on rerun, and is stored', async () => {
    const corpus = loadCorpus('seeds', 3);
    const first = await runEval(t.deps, {
      corpus,
      corpusLabel: 'seeds',
      prompts: ['brief@1', 'brief@2'],
    });
    expect(first.run.briefs).toBe(6);
    expect(first.documents).toHaveLength(3);
    expect(first.aggregate['brief@1']!.failures).toBe(0);
    const divergences = first.documents.map((d) => d.divergence!);
    expect(divergences).toEqual([...divergences].sort((x, y) => y - x));

    const again = await runEval(t.deps, {
      corpus,
      corpusLabel: 'seeds',
      prompts: ['brief@1', 'brief@2'],
    });
    expect(again.run.llmCalls).toBe(0);
    expect(again.run.briefCacheHits).toBe(6);
    expect(again.aggregate).toEqual(first.aggregate);

    const stored = await t.app.request(`/v1/evals/${again.id}`);
    expect(stored.status).toBe(200);
    expect(((await stored.json()) as { status: string; report: { id: string } }).report.id).toBe(
      again.id,
    );
    const markdown = await (await t.app.request(`/v1/evals/${again.id}?format=md`)).text();
    expect(markdown).toBe(evalMarkdown(again));
    expect(markdown).toContain('| metric | brief@1 | brief@2 |');
    type Page = { items: { id: string }[]; nextCursor: string | null };
    const list = (await (await t.app.request('/v1/evals?limit=1')).json()) as Page;
    expect(list.items.map((e) => e.id)).toEqual([again.id]);
    expect(list.nextCursor).toEqual(expect.any(String));
    const next = (await (
      await t.app.request(`/v1/evals?limit=1&cursor=${list.nextCursor}`)
    ).json()) as Page;
    expect(next.items.map((e) => e.id)).toEqual([first.id]);
    expect((await t.app.request('/v1/evals/evl_nope')).status).toBe(400);
  });

  it('scores against reference summaries when the corpus has them', async () => {
    const corpus = [
      {
        id: 'r1',
        document: seed,
        summary: 'The government announced a rent cap to protect tenants from rising rents.',
      },
    ];
    const report = await runEval(t.deps, { corpus, corpusLabel: 'inline', prompts: ['brief@1'] });
    const scores = report.aggregate['brief@1']!.rougeVsReference!;
    expect(scores.rouge1).toBeGreaterThan(0);
    expect(scores.rouge1).toBeLessThanOrEqual(100);
  });
});
