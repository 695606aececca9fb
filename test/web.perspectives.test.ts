import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PerspectivesView } from '../src/perspectives/view.js';
import { PerspectivesPage } from '../src/web/pages/perspectives.js';
import { createTestApp, type TestApp } from './support/app.js';

// The perspectives page and the brief page's related documents, in-process (app.request), as a
// browser without scripts gets them: the offline analyst reads two seeds about one dispute.

const seed = (name: string) =>
  readFileSync(new URL(`../seeds/${name}.md`, import.meta.url), 'utf8');
const COMPANY = 'Merrow Shipping statement on the closure of the Calder Quay depot';
const UNION = "Dock workers' union reply to Merrow Shipping on the Calder Quay closure";
const HTML = { accept: 'text/html' };

/** The HTML of a title as JSX escapes it. */
const escaped = (text: string) => text.replaceAll("'", '&#39;');

describe('perspectives pages with the offline analyst', () => {
  let t: TestApp;
  let company: { documentId: string; briefId: string };
  let union: string;

  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local' });
    const brief = await t.postJson({
      text: seed('harbour-closure-company-statement'),
      title: COMPANY,
    });
    expect(brief.status).toBe(201);
    const view = (await brief.json()) as { id: string; document: { id: string } };
    company = { documentId: view.document.id, briefId: view.id };
    const added = await t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: seed('harbour-closure-union-reply'), title: UNION }),
    });
    expect(added.status).toBe(201);
    union = ((await added.json()) as { id: string }).id;
  });
  afterAll(() => t.close());

  it('shows both documents side by side, each claim with the other side marked and quoted', async () => {
    const response = await t.app.request(`/perspectives?documents=${company.documentId},${union}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<h2>${escaped(COMPANY)}</h2>`);
    expect(html).toContain(`<h2>${escaped(UNION)}</h2>`);
    expect(html).toContain('class="psp-grid psp-row cols-2"');
    expect(html).toContain('<span class="badge badge-disputes">Disputes</span>');
    expect(html).toContain('The union was never consulted about the closure.');
    expect(html).not.toContain('http-equiv="refresh"');
    // The company's column comes first, as asked, and the run has its own page.
    expect(html.indexOf(`<h2>${escaped(COMPANY)}</h2>`)).toBeLessThan(
      html.indexOf(`<h2>${escaped(UNION)}</h2>`),
    );
    const id = /href="\/perspectives\/(psp_[0-9a-f]{24})"/.exec(html)![1]!;
    const again = await t.app.request(`/perspectives/${id}`);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('badge-disputes');

    // Repeated `documents` parameters, as the start form sends them, read the same (cached) run.
    const repeated = await t.app.request(
      `/perspectives?documents=${union}&documents=${company.documentId}&documents=`,
    );
    expect(repeated.status).toBe(200);
    expect(await repeated.text()).toContain(`href="/perspectives/${id}"`);
  });

  it('offers a form to start a comparison, and refuses bad input with the error page', async () => {
    const start = await t.app.request('/perspectives');
    expect(start.status).toBe(200);
    const form = await start.text();
    expect(form).toContain('<form class="stack" method="get" action="/perspectives"');
    expect(form.match(/name="documents"/g)).toHaveLength(3);
    expect(form).toContain('<a href="/perspectives" aria-current="page">');

    const one = await t.app.request(`/perspectives?documents=${company.documentId}`, {
      headers: HTML,
    });
    expect(one.status).toBe(400);
    expect(one.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await one.text();
    expect(html).toContain('<h1>That request cannot be used</h1>');
    expect(html).toContain('Give 2 to 5 different document ids');
    expect(html).not.toMatch(/\n\s+at |\.tsx?:\d+/); // no stack trace

    const same = await t.app.request(
      `/perspectives?documents=${company.documentId},${company.documentId}`,
    );
    expect(same.status).toBe(400);
    const malformed = await t.app.request(`/perspectives?documents=${company.documentId},xyz`);
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('is not a document id');
    const unknown = await t.app.request(
      `/perspectives?documents=${company.documentId},${'0'.repeat(64)}`,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('<h1>Not found</h1>');
    expect((await t.app.request('/perspectives/psp_nope')).status).toBe(400);
    expect((await t.app.request(`/perspectives/psp_${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('lists related documents on the brief page, each linked to the perspectives page', async () => {
    const response = await t.app.request(`/briefs/${company.briefId}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h2 id="related-heading">Related documents</h2>');
    expect(html).toContain(`href="/perspectives?documents=${company.documentId},${union}"`);
    expect(html).toMatch(/score \d\.\d\d/);
  });
});

describe('perspectives pages with API_TOKENS', () => {
  const TOKEN = 'parallax-web-token-0123456789';
  let t: TestApp;
  let ids: string[];

  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local', API_TOKENS: TOKEN });
    ids = [];
    for (const name of ['harbour-closure-company-statement', 'harbour-closure-union-reply']) {
      const added = await t.app.request('/v1/documents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ text: seed(name) }),
      });
      expect(added.status).toBe(201);
      ids.push(((await added.json()) as { id: string }).id);
    }
  });
  afterAll(() => t.close());

  it('runs nothing from a link: it asks for the token, and the form post runs it', async () => {
    const link = await t.app.request(`/perspectives?documents=${ids.join(',')}`);
    expect(link.status).toBe(200);
    const html = await link.text();
    expect(html).toContain('<form class="stack" method="post" action="/perspectives">');
    expect(html).toContain('name="token"');
    expect(html).not.toContain('badge-disputes');

    const body = () => {
      const form = new URLSearchParams();
      for (const id of ids) form.append('documents', id);
      return form;
    };
    const refused = await t.app.request('/perspectives', { method: 'POST', body: body() });
    expect(refused.status).toBe(401);
    const form = body();
    form.set('token', TOKEN);
    const posted = await t.app.request('/perspectives', { method: 'POST', body: form });
    expect(posted.status).toBe(303);
    const location = posted.headers.get('location')!;
    expect(location).toMatch(/^\/perspectives\/psp_[0-9a-f]{24}$/);
    const page = await (await t.app.request(location)).text();
    expect(page).toContain('<span class="badge badge-disputes">Disputes</span>');
  });
});

describe('the perspectives page for states the seeds do not reach', () => {
  const view = (over: Partial<PerspectivesView>): PerspectivesView => ({
    id: `psp_${'a'.repeat(24)}`,
    status: 'succeeded',
    documents: [
      { id: 'a'.repeat(64), title: 'One' },
      { id: 'b'.repeat(64), title: null },
      { id: 'c'.repeat(64), title: 'Three' },
    ],
    prompt: { ref: 'brief@3', sha256: 'f'.repeat(64) },
    provider: 'local',
    model: 'analyst-3',
    progress: null,
    result: null,
    error: null,
    usage: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    ...over,
  });
  const render = async (v: PerspectivesView) =>
    String(await PerspectivesPage({ view: v, tokenNeeded: false }));

  it('marks a quote not found in its document, in three columns', async () => {
    const html = await render(
      view({
        result: {
          claims: [
            {
              documentId: 'c'.repeat(64),
              citation: { quote: 'Rates rose.', start: 0, end: 11, verified: true },
              responses: [
                {
                  documentId: 'a'.repeat(64),
                  mark: 'differs',
                  citation: {
                    quote: 'Rates <b>fell</b>.',
                    start: null,
                    end: null,
                    verified: false,
                  },
                  note: 'Another direction.',
                },
                { documentId: 'b'.repeat(64), mark: 'silent', citation: null, note: '' },
              ],
            },
          ],
        },
      }),
    );
    expect(html).toContain('class="psp-grid psp-row cols-3"');
    // An untitled document is named by its short id, so two untitled ones differ.
    expect(html).toContain('<h2>Document bbbbbbbb</h2>');
    expect(html).toContain('quote not found in the document');
    expect(html).toContain('Rates &lt;b&gt;fell&lt;/b&gt;.');
    expect(html).toContain('<span class="badge badge-differs">Differs</span>');
    expect(html).toContain('<span class="badge badge-silent">Silent</span>');
    // The claim sits in its own (third) column.
    expect(html.indexOf('badge-claim')).toBeGreaterThan(html.indexOf('badge-silent'));
  });

  it('says a running comparison is still running and reloads itself', async () => {
    const html = await render(view({ status: 'running', progress: { done: 2, total: 8 } }));
    expect(html).toContain('<meta http-equiv="refresh" content="3"/>');
    expect(html).toContain('Still running: 2 of 8 claims read');
    expect(html).toContain('<a href="">Reload</a>');
  });

  it('shows a failed comparison with its error and a form to try again', async () => {
    const html = await render(
      view({ status: 'failed', error: { code: 'llm_unavailable', message: 'Down.' } }),
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain('Down.');
    expect(html).toContain('<form class="stack" method="get" action="/perspectives">');
    expect(html).toContain(`<input type="hidden" name="documents" value="${'c'.repeat(64)}"/>`);
  });
});
