import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { createTestApp, type TestApp } from './support/app.js';
import { makeHtmlPage, makePdf } from './support/documents.js';
import { startLocalWorker, workerdUnavailable, type LocalWorker } from './support/wrangler.js';
import { idle } from '../src/briefs/context.js';

// The same app on Workers: wrangler dev (workerd from the npm package) over a local D1 migrated
// by `wrangler d1 migrations apply --local`, against the Node app over SQLite, both with the
// offline analyst. No account and no network. Skipped only when workerd cannot run here.

const unavailable = workerdUnavailable();
if (unavailable)
  console.warn(`worker.test.ts skipped: workerd cannot run on this machine (${unavailable})`);

const lock = JSON.parse(readFileSync('prompts/prompts.lock.json', 'utf8')) as Record<
  string,
  string
>;
const opEd = readFileSync('seeds/rail-link-op-ed.md', 'utf8');
const whitePaper = readFileSync('seeds/water-transfer-white-paper.md', 'utf8');

describe.skipIf(unavailable !== null)('the Worker (wrangler dev, local D1)', () => {
  let worker: LocalWorker;
  let node: TestApp;

  beforeAll(async () => {
    node = await createTestApp({ LLM_PROVIDER: 'local' });
    worker = await startLocalWorker({ startupMs: 150_000 });
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await node?.close();
  }, 30_000);

  /** POSTs raw Markdown to the Worker and to the Node app; returns both parsed responses. */
  async function postBoth(text: string, query: string) {
    const init = { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: text };
    const fromWorker = await fetch(`${worker.url}/v1/briefs?${query}`, init);
    const fromNode = await node.app.request(`/v1/briefs?${query}`, init);
    return { worker: fromWorker, node: fromNode };
  }

  async function getFromWorker(id: string) {
    const response = await fetch(`${worker.url}/v1/briefs/${id}`);
    expect(response.status, worker.output()).toBe(200);
    return BriefView.parse(await response.json());
  }

  /** Everything a brief is made of, leaving out its id, cache flag and timings. */
  const made = (view: BriefView) => ({
    status: view.status,
    document: view.document,
    prompt: view.prompt,
    provider: view.provider,
    model: view.model,
    answeredBy: view.answeredBy,
    params: view.params,
    chunks: view.chunks,
    calls: view.usage?.calls,
    brief: view.brief,
  });

  it('makes the brief of a seed document that the Node app makes, and reads it back', async () => {
    const posted = await postBoth(opEd, 'title=Rail%20link%20op-ed&prompt=brief@2&wait=60');
    expect(posted.worker.status, worker.output()).toBe(201);
    expect(posted.node.status).toBe(201);
    const created = BriefView.parse(await posted.worker.json());
    const fromNode = BriefView.parse(await posted.node.json());
    expect(posted.worker.headers.get('location')).toBe(`/v1/briefs/${created.id}`);

    const stored = await getFromWorker(created.id);
    expect(stored.status).toBe('succeeded');
    expect(stored.prompt).toEqual({
      ref: 'brief@2',
      name: 'brief',
      version: 2,
      sha256: lock['brief@2'],
    });
    expect(stored.document.id).toBe(fromNode.document.id);
    expect(stored.brief!.keyPoints.length).toBeGreaterThan(0);
    expect(made(stored)).toEqual(made(fromNode));

    // The brief cache lives in D1: the same POST again runs nothing.
    const again = await fetch(`${worker.url}/v1/briefs?title=Rail%20link%20op-ed&prompt=brief@2`, {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: opEd,
    });
    expect(again.status).toBe(200);
    expect(BriefView.parse(await again.json())).toMatchObject({ id: created.id, cached: true });
  });

  it('reads PDF and HTML documents as the Node app does (unpdf, Readability and linkedom run in workerd)', async () => {
    for (const [type, body] of [
      ['application/pdf', await makePdf()],
      ['text/html', makeHtmlPage()],
    ] as const) {
      const init = { method: 'POST', headers: { 'content-type': type }, body };
      const fromWorker = await fetch(`${worker.url}/v1/briefs?wait=60`, init);
      const fromNode = await node.app.request('/v1/briefs?wait=60', init);
      expect(fromWorker.status, worker.output()).toBe(201);
      expect(fromNode.status).toBe(201);
      const [w, n] = [
        BriefView.parse(await fromWorker.json()),
        BriefView.parse(await fromNode.json()),
      ];
      expect(made(w)).toEqual(made(n));
      const document = async (base: string | null) => {
        const path = `/v1/documents/${w.document.id}`;
        const response = base ? await fetch(`${base}${path}`) : await node.app.request(path);
        const { mediaType, pages, pageMap } = (await response.json()) as Record<string, unknown>;
        return { mediaType, pages, pageMap };
      };
      const stored = await document(worker.url);
      expect(stored).toEqual(await document(null));
      expect(stored.mediaType).toBe(type);
    }
  });

  it('answers 202 at once and finishes the brief in the background (the work queue)', async () => {
    const posted = await postBoth(whitePaper, 'title=Water%20transfer&wait=0');
    expect(posted.worker.status, worker.output()).toBe(202);
    const accepted = BriefView.parse(await posted.worker.json());
    expect(accepted.status).toBe('running');
    expect(posted.worker.headers.get('location')).toBe(`/v1/briefs/${accepted.id}`);
    await idle(node.deps.briefs);
    const nodeView = BriefView.parse(
      await (
        await node.app.request(`/v1/briefs/${BriefView.parse(await posted.node.json()).id}`)
      ).json(),
    );
    expect(nodeView.status).toBe('succeeded');

    let stored = accepted;
    const deadline = Date.now() + 60_000;
    while (stored.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      stored = await getFromWorker(accepted.id);
    }
    expect(stored.status, worker.output()).toBe('succeeded');
    expect(stored.prompt.sha256).toBe(lock[stored.prompt.ref]);
    expect(made(stored)).toEqual(made(nodeView));
  });

  it('serves the web UI: the form posts a document and the brief page shows it beside its source', async () => {
    const home = await fetch(`${worker.url}/`);
    expect(home.status, worker.output()).toBe(200);
    expect(await home.text()).toContain('action="/briefs"');
    expect((await fetch(`${worker.url}/assets/app.js`)).status).toBe(200);
    const form = new FormData();
    form.set('text', opEd);
    form.set('title', 'Rail link op-ed (web)');
    form.set('prompt', 'brief@1');
    const posted = await fetch(`${worker.url}/briefs`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(posted.status, worker.output()).toBe(303);
    const page = await (await fetch(new URL(posted.headers.get('location')!, worker.url))).text();
    expect(page).toContain('<h2 id="summary-heading">Summary</h2>');
    expect(page).toMatch(/<a class="cite" href="#q-\d+"/);
  });

  it('searches the library and ranks related documents as Node does (FTS5 on D1)', async () => {
    const ids: string[] = [];
    for (const name of [
      'rent-cap-briefing.md',
      'rent-cap-press-release.md',
      'rent-cap-speech.md',
    ]) {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'text/markdown' },
        body: readFileSync(`seeds/${name}`, 'utf8'),
      };
      const [fromWorker, fromNode] = [
        await fetch(`${worker.url}/v1/documents?title=${name}`, init),
        await node.app.request(`/v1/documents?title=${name}`, init),
      ];
      expect(fromWorker.status, worker.output()).toBe(201);
      expect(fromNode.status).toBe(201);
      ids.push(((await fromWorker.json()) as { id: string }).id);
    }
    const withoutDates = (value: unknown) =>
      JSON.parse(JSON.stringify(value), (key, v) => (key === 'createdAt' ? undefined : v));
    for (const path of [
      `/v1/documents?q=${encodeURIComponent('"rent cap" tenants')}`,
      `/v1/documents/${ids[0]}/related?limit=2`,
    ]) {
      const fromWorker = await fetch(`${worker.url}${path}`);
      expect(fromWorker.status, `${path}\n${worker.output()}`).toBe(200);
      const body = withoutDates(await fromWorker.json());
      expect(body, path).toEqual(withoutDates(await (await node.app.request(path)).json()));
      expect(JSON.stringify(body)).toContain('rent-cap-press-release.md');
    }
  });

  it('aligns the claims of two documents as Node does (perspectives on D1)', async () => {
    const ids: string[] = [];
    for (const name of ['harbour-closure-company-statement.md', 'harbour-closure-union-reply.md']) {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'text/markdown' },
        body: readFileSync(`seeds/${name}`, 'utf8'),
      };
      const fromWorker = await fetch(`${worker.url}/v1/documents?title=${name}`, init);
      expect(fromWorker.status, worker.output()).toBe(201);
      await node.app.request(`/v1/documents?title=${name}`, init);
      ids.push(((await fromWorker.json()) as { id: string }).id);
    }
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: ids }),
    };
    const fromWorker = await fetch(`${worker.url}/v1/perspectives?wait=60`, init);
    expect(fromWorker.status, worker.output()).toBe(201);
    const fromNode = await node.app.request('/v1/perspectives?wait=60', init);
    const [w, n] = [await fromWorker.json(), await fromNode.json()] as Array<{
      id: string;
      result: { claims: Array<{ responses: Array<{ mark: string }> }> };
    }>;
    expect(w!.result).toEqual(n!.result);
    const marks = w!.result.claims.flatMap((claim) => claim.responses.map((r) => r.mark));
    expect(marks).toContain('disputes');
    const again = await fetch(`${worker.url}/v1/perspectives/${w!.id}`);
    expect(again.status).toBe(200);
  });

  it('serves /openapi.json as Node does, and /docs with its files from the static assets', async () => {
    const spec = await fetch(`${worker.url}/openapi.json`);
    expect(spec.status, worker.output()).toBe(200);
    expect(await spec.json()).toEqual(await (await node.app.request('/openapi.json')).json());
    const page = await fetch(`${worker.url}/docs`);
    expect(page.status).toBe(200);
    const files = [
      ...(await page.text()).matchAll(/\s(?:src|href)="(\/docs\/assets\/[^"]+)"/g),
    ].map((match) => match[1]!);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const [fromWorker, fromNode] = [
        await fetch(`${worker.url}${file}`),
        await node.app.request(file),
      ];
      expect(fromWorker.status, file).toBe(200);
      expect(
        Buffer.from(await fromWorker.arrayBuffer()).equals(
          Buffer.from(await fromNode.arrayBuffer()),
        ),
        file,
      ).toBe(true);
    }
  });
});
