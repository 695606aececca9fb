import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, policyDocument, type TestApp } from './support/app.js';
import { makeHtmlPage } from './support/documents.js';
import { useLlmApp } from './support/llm-app.js';
import { idle } from '../src/briefs/context.js';

// The web UI's pages in-process (app.request), as a browser without scripts would get them:
// forms, redirects, status codes, the no-script fallbacks, and HTML error pages.

const OP_ED =
  'The Council said the bridge will open in May and cost 40 million. Residents of the east bank were not consulted about the route.';

/** The home page's form as a browser sends it: every field, an empty file part when none is chosen. */
function submitForm(fields: {
  text?: string;
  title?: string;
  prompt?: string;
  model?: string;
  file?: File;
}): FormData {
  const form = new FormData();
  form.set('text', fields.text ?? '');
  form.set('file', fields.file ?? new File([], '', { type: 'application/octet-stream' }));
  form.set('title', fields.title ?? '');
  form.set('prompt', fields.prompt ?? 'brief@2');
  if (fields.model !== undefined) form.set('model', fields.model);
  return form;
}

describe('web pages with the offline analyst', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local' });
  });
  afterAll(() => t.close());

  const post = (path: string, body: FormData) => t.app.request(path, { method: 'POST', body });

  it('answers a browser that asks for a page no route has with the HTML error page; API clients get JSON', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await t.app.request('/nope', { headers: html });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await page.text();
    expect(body).toContain('<h1>Not found</h1>');
    expect(body).toContain('There is no page at /nope.');
    expect(body).toContain('<a href="/docs">/docs</a>');
    for (const [path, headers] of [
      ['/nope', {}],
      ['/v1/nope', html],
    ] as const) {
      const response = await t.app.request(path, { headers });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('serves the home page: labelled form, prompt versions with the default chosen, the one provider there is', async () => {
    const response = await t.app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await response.text();
    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html).toContain(
      '<form class="stack" method="post" action="/briefs" enctype="multipart/form-data">',
    );
    const latest = t.deps.prompts.resolve('brief@latest').ref;
    expect(html).toContain(`<option value="${latest}" selected="">${latest} (latest)</option>`);
    expect(html).toContain('<option value="brief@1">brief@1</option>');
    // No language model configured: the offline analyst is the only provider, and the model field defaults to its one model.
    expect(html).toContain(
      '<select id="provider" name="provider" aria-describedby="provider-hint"><option value="local" selected="">local: the offline analyst</option></select>',
    );
    expect(html).toMatch(
      /<input type="text" id="model" name="model" value="" maxlength="200" placeholder="analyst-3 for local"/,
    );
    expect(html).not.toContain('name="token"');
    for (const id of ['text', 'file', 'title', 'prompt', 'provider', 'model'])
      expect(html).toContain(`<label for="${id}">`);
  });

  it('serves its stylesheet and script itself, typed and cacheable', async () => {
    const css = await t.app.request('/assets/app.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.q:target');
    const js = await t.app.request('/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain("new EventSource(panel.getAttribute('data-events'))");
  });

  it('submits pasted text with a 303 to the brief page, which links every verified quote to its span in the source', async () => {
    const response = await post(
      '/briefs',
      submitForm({ text: policyDocument(3), title: 'Housing' }),
    );
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/briefs\/brf_[0-9a-f]{24}$/);

    const html = await (await t.app.request(location)).text();
    expect(html).toContain('<h2 id="summary-heading">Summary</h2>');
    expect(html).not.toContain('http-equiv="refresh"');
    const targets = [...html.matchAll(/<a class="cite" href="#(q-\d+)"/g)].map(
      (match) => match[1]!,
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const id of new Set(targets)) expect(html).toContain(`id="${id}"`);
  });

  it('reads an uploaded HTML page like the API does: main content only, its title', async () => {
    const file = new File([makeHtmlPage()], 'rail.html', { type: 'text/html' });
    const response = await post('/briefs', submitForm({ file }));
    expect(response.status).toBe(303);
    const html = await (await t.app.request(response.headers.get('location')!)).text();
    expect(html).toContain('Rail link plan | Daily Policy Review');
    expect(html).toContain('halve journey times');
    expect(html).not.toContain('NAVLINK');
  });

  it('gives the form back with the problem when it cannot be briefed, keeping what was typed', async () => {
    const both = await post(
      '/briefs',
      submitForm({
        text: OP_ED,
        title: 'Bridge',
        file: new File(['x'], 'a.txt', { type: 'text/plain' }),
      }),
    );
    expect(both.status).toBe(400);
    const html = await both.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('not both');
    expect(html).toContain('value="Bridge"');
    expect(html).toContain(OP_ED);

    const image = await post(
      '/briefs',
      submitForm({
        file: new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255])], 'chart.png', {
          type: 'image/png',
        }),
      }),
    );
    expect(image.status).toBe(415);
    expect(await image.text()).toContain('This kind of file cannot be read');

    const model = await post('/briefs', submitForm({ text: OP_ED, model: 'gpt-4o' }));
    expect(model.status).toBe(400);
    expect(await model.text()).toContain('The local provider has one model');
    expect(t.rows().briefs).toBe(2);
  });

  it('answers unknown briefs, bad ids and unknown prompt versions with HTML error pages; the API keeps JSON', async () => {
    const missing = await t.app.request('/briefs/brf_000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await missing.text()).toContain('<h1>Not found</h1>');
    expect((await t.app.request('/briefs/not-an-id')).status).toBe(400);
    const prompt = await t.app.request(`/compare?document=${'a'.repeat(64)}&a=brief@1&b=brief@9`);
    expect(prompt.status).toBe(404);
    expect(
      (await t.app.request('/v1/briefs/brf_000000000000000000000000')).headers.get('content-type'),
    ).toMatch(/^application\/json/);
    expect((await t.app.request('/nothing-here')).headers.get('content-type')).toMatch(
      /^application\/json/,
    );
  });

  it('filters the list and says which filter is wrong', async () => {
    const all = await (await t.app.request('/briefs')).text();
    expect(all.match(/<tr data-brief=/g)).toHaveLength(2);
    const none = await (await t.app.request('/briefs?prompt=brief%401&status=')).text();
    expect(none).toContain('No brief matches these filters.');
    expect(none).toContain('<option value="brief@1" selected="">');
    const bad = await t.app.request('/briefs?status=finished&document=xyz');
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('document: a document id is 64 hex digits');
    expect(html).toContain('status: status is one of running, succeeded, failed');
  });
});

describe('web pages while a brief runs (no scripts)', () => {
  const ctx = useLlmApp({ CHUNK_TOKENS: '200', LLM_CONCURRENCY: '1' });

  it('shows progress that follows the event stream, with a refresh fallback and a reload link', async () => {
    ctx.llm.enqueue('hang');
    const response = await ctx.t.app.request('/briefs', {
      method: 'POST',
      body: submitForm({ text: policyDocument(8), model: 'test-model' }),
    });
    expect(response.status).toBe(303);
    const id = response.headers.get('location')!.split('/').at(-1)!;
    const html = await (await ctx.t.app.request(`/briefs/${id}`)).text();
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="3"/></noscript>');
    expect(html).toContain(`data-events="/v1/briefs/${id}/events"`);
    expect(html).toContain('role="status" aria-live="polite"');
    expect(html).toContain('<a href="">Reload</a>');
    ctx.llm.reset(); // the hung call fails, its retry answers, and the brief finishes
    await idle(ctx.t.deps.briefs);
  });

  it('shows a failed brief with its error, and Try again makes it', async () => {
    ctx.llm.enqueue({
      status: 400,
      body: { error: { message: 'model not found', type: 'invalid_request_error' } },
    });
    const response = await ctx.t.app.request('/briefs', {
      method: 'POST',
      body: submitForm({
        text: `${OP_ED} The mayor disagreed.`,
        prompt: 'brief@1',
        model: 'test-model',
      }),
    });
    const location = response.headers.get('location')!;
    await idle(ctx.t.deps.briefs);
    const failed = await (await ctx.t.app.request(location)).text();
    expect(failed).toContain('role="alert"');
    expect(failed).toContain(`<form class="stack" method="post" action="${location}/retry">`);

    const retried = await ctx.t.app.request(`${location}/retry`, {
      method: 'POST',
      body: new URLSearchParams(),
    });
    expect(retried.status).toBe(303);
    expect(retried.headers.get('location')).toBe(location);
    await idle(ctx.t.deps.briefs);
    expect(await (await ctx.t.app.request(location)).text()).toContain(
      '<h2 id="summary-heading">Summary</h2>',
    );
  });

  it('shows a comparison only once both versions exist, and offers to make the missing one', async () => {
    const response = await ctx.t.postJson({ text: OP_ED, prompt: 'brief@2' });
    const view = (await response.json()) as { document: { id: string } };
    const before = ctx.t.rows().briefs;
    const html = await (
      await ctx.t.app.request(
        `/compare?document=${view.document.id}&a=brief@1&b=brief@2&model=test-model`,
      )
    ).text();
    expect(html).toContain('no brief@1 brief with openai / test-model yet');
    expect(html).toContain('<form class="stack" method="post" action="/compare">');
    expect(ctx.t.rows().briefs).toBe(before); // the GET made nothing

    const made = await ctx.t.app.request('/compare', {
      method: 'POST',
      body: new URLSearchParams({
        document: view.document.id,
        a: 'brief@1',
        b: 'brief@2',
        model: 'test-model',
      }),
    });
    expect(made.status).toBe(303);
    await idle(ctx.t.deps.briefs);
    const compared = await (await ctx.t.app.request(made.headers.get('location')!)).text();
    expect(compared).toContain('<h1>brief@1 vs brief@2</h1>');
    expect(compared).toContain('data-status="kept"');
  });
});
