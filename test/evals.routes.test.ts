import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalDetail, EvalSummary, INTERRUPTED } from '../src/evals/view.js';
import { ErrorBody } from '../src/errors.js';
import { failInterruptedEvals } from '../src/evals/run.js';
import { createTestApp, type TestApp } from './support/app.js';

// POST /v1/evals and the life of a run: started, followed by its progress, finished, or
// interrupted when its process stops.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LLM_PROVIDER: 'local', BRIEF_LEASE_MS: '300' });
  // The analyst loads its word model on its first chunk (~1 s, more on a loaded machine), here on
  // the thread that renews leases: a run's 300 ms lease would lapse inside it, and a read then
  // shows the run as interrupted. Loaded now, the runs below only hold the thread for short spans.
  const warm = await t.postJson({ text: 'The Council said the warm-up brief loads the model.' });
  if (warm.status !== 201) throw new Error(`warm-up brief answered ${warm.status}`);
}, 60_000);
afterAll(() => t.close());

const start = (body: unknown) =>
  t.app.request('/v1/evals', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const read = async (id: string) =>
  EvalDetail.parse(await (await t.app.request(`/v1/evals/${id}`)).json());
const evalRows = () =>
  (t.sqlite.prepare('select count(*) as n from evals').get() as { n: number }).n;

describe('POST /v1/evals', () => {
  it('answers 202 at once, then counts briefs done until the report is stored', async () => {
    const documents = [
      {
        id: 'levy',
        document: 'The Ministry said the levy will raise 40 million. Retailers were not asked.',
        summary: 'A levy is planned.',
      },
      {
        id: 'bridge',
        title: 'Bridge',
        document: 'The Council said the bridge opens in May. Residents say it is unsafe.',
      },
    ];
    const response = await start({ prompts: ['brief@1', 'brief@2'], documents, corpus: 'inline' });
    expect(response.status).toBe(202);
    const started = EvalSummary.parse(await response.json());
    expect(response.headers.get('location')).toBe(`/v1/evals/${started.id}`);
    expect(started).toMatchObject({
      status: 'running',
      corpus: 'inline',
      documents: 2,
      provider: 'local',
      progress: { done: 0, total: 4 },
    });

    let detail = await read(started.id);
    for (let i = 0; i < 100 && detail.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      detail = await read(started.id);
    }
    expect(detail).toMatchObject({
      status: 'succeeded',
      error: null,
      progress: { done: 4, total: 4 },
    });
    expect(detail.report).toMatchObject({
      id: started.id,
      run: { documents: 2, briefs: 4, failures: 0 },
    });
  });

  it('refuses an empty document, an unknown prompt version and a model the analyst lacks before storing a run', async () => {
    const before = evalRows();
    const empty = await start({
      prompts: ['brief@1'],
      documents: [
        { id: 'ok', document: 'A text.' },
        { id: 'blank', document: ' \n\t ' },
      ],
    });
    expect(empty.status).toBe(400);
    expect(ErrorBody.parse(await empty.json()).error.message).toBe(
      'Corpus document "blank" is empty (no text after normalizing whitespace)',
    );
    expect(
      (await start({ prompts: ['brief@9'], documents: [{ id: 'a', document: 'A text.' }] })).status,
    ).toBe(404);
    expect(
      (
        await start({
          prompts: ['brief@1'],
          documents: [{ id: 'a', document: 'A text.' }],
          model: 'gpt-4o',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await start({
          prompts: ['brief@1'],
          documents: [{ id: 'a', document: 'A text.' }],
          extra: true,
        })
      ).status,
    ).toBe(400);
    expect(evalRows()).toBe(before);
  });

  it('shows a run whose process stopped (its lease lapsed) as failed, and the sweep stores that', async () => {
    // As a process that died mid-run would leave it: running, its lease long gone.
    t.sqlite
      .prepare(
        "insert into evals (id, prompts, corpus, documents, done, provider, model, status, lease_until, created_at) values (?, ?, 'seeds', 3, 1, 'local', 'analyst-1', 'running', ?, ?)",
      )
      .run(
        'evl_0123456789abcdef01234567',
        '["brief@1","brief@2"]',
        Date.now() - 60_000,
        Date.now() - 120_000,
      );
    expect(await read('evl_0123456789abcdef01234567')).toMatchObject({
      status: 'failed',
      error: INTERRUPTED,
      progress: { done: 1, total: 6 },
    });
    await failInterruptedEvals(t.deps);
    const row = t.sqlite
      .prepare('select status, error, lease_until from evals where id = ?')
      .get('evl_0123456789abcdef01234567');
    expect(row).toEqual({ status: 'failed', error: INTERRUPTED, lease_until: null });
  });
});
