import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBrief } from '../src/briefs/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

// The web UI never renders model or document text as markup, and never lets a form post past
// the API's token check or its rate limit and body limit.

const TOKEN = 'parallax-web-token-0123456789';
const ATTACK = '<script>window.pwned=1</script><img src=x onerror=alert(1)>';
const DOCUMENT = `The Council said the levy raises 3 million a year. ${ATTACK} Shop owners were not asked. </textarea><b>bold</b>`;

/** The form a browser sends, with or without the token field. */
function form(fields: Record<string, string>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  return body;
}

describe('model and document text on the pages', () => {
  const ctx = useLlmApp();

  it('is escaped everywhere: brief page, source text, list and comparison', async () => {
    const evil: ModelBrief = {
      headline: `Headline ${ATTACK}`,
      summary: `Summary ${ATTACK}`,
      keyPoints: [
        {
          text: `Point ${ATTACK}`,
          citations: [
            { quote: ATTACK },
            { quote: 'The Council said the levy raises 3 million a year.' },
          ],
        },
      ],
      stakeholders: [{ name: `Name ${ATTACK}`, role: ATTACK, representedInDocument: false }],
      counterPerspectives: [
        {
          kind: 'missing_perspective',
          claim: ATTACK,
          perspective: ATTACK,
          note: ATTACK,
          citations: [{ quote: `"${ATTACK}` }],
        },
      ],
    };
    ctx.llm.handler = () => evil;
    const posted = await ctx.t.app.request('/briefs', {
      method: 'POST',
      body: form({ text: DOCUMENT, title: `Title ${ATTACK}`, prompt: 'brief@1' }),
    });
    expect(posted.status).toBe(303);
    const briefPage = await (await ctx.t.app.request(posted.headers.get('location')!)).text();
    const documentId = /href="\/briefs\?document=([0-9a-f]{64})"/.exec(briefPage)![1]!;
    await ctx.t.postJson({ text: DOCUMENT, prompt: 'brief@2' });
    const pages = [
      briefPage,
      await (await ctx.t.app.request('/briefs')).text(),
      await (await ctx.t.app.request(`/compare?document=${documentId}&a=brief@1&b=brief@2`)).text(),
    ];
    for (const html of pages) {
      expect(html).not.toContain('<script>window');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('<b>bold');
      expect(html).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
    }
    // The source keeps the document's own markup as text, and the verified quote still links to it.
    expect(briefPage).toContain('&lt;/textarea&gt;&lt;b&gt;bold&lt;/b&gt;');
    expect(briefPage).toMatch(/<a class="cite" href="#q-\d+"/);
  });
});

describe('API_TOKENS and the web forms', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local', API_TOKENS: TOKEN });
  });
  afterAll(() => t.close());

  const post = (path: string, body: FormData, headers: Record<string, string> = {}) =>
    t.app.request(path, { method: 'POST', body, headers });
  const text = 'The Council said the levy raises 3 million a year. Shop owners were not asked.';

  it('asks for the token on the form, and refuses a post without it or with a wrong one, writing nothing', async () => {
    const home = await (await t.app.request('/')).text();
    expect(home).toContain(
      '<input type="password" id="token" name="token" required="" autocomplete="off"',
    );
    for (const token of [undefined, '', 'wrong-token-0000000000000', `${TOKEN}x`]) {
      const response = await post(
        '/briefs',
        form({ text, title: 'Levy', ...(token === undefined ? {} : { token }) }),
      );
      expect(response.status).toBe(401);
      const html = await response.text();
      expect(html).toContain('role="alert"');
      expect(html).toContain('value="Levy"'); // the form comes back filled in…
      if (token) expect(html).not.toContain(token); // …but never with the token
    }
    expect(t.rows().briefs).toBe(0);
  });

  it('accepts the token in the form field or as a bearer header; reads stay open', async () => {
    const viaField = await post('/briefs', form({ text, token: TOKEN }));
    expect(viaField.status).toBe(303);
    expect(await viaField.text()).not.toContain(TOKEN);
    const viaHeader = await post('/briefs', form({ text: `${text} Again.` }), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(viaHeader.status).toBe(303);
    expect((await t.app.request(viaField.headers.get('location')!)).status).toBe(200);
    expect((await t.app.request('/briefs')).status).toBe(200);
  });

  it('guards the other form posts (compare, retry) the same way', async () => {
    const location = (
      await post('/briefs', form({ text: `${text} Third.`, token: TOKEN }))
    ).headers.get('location')!;
    const page = await (await t.app.request(location)).text();
    const documentId = /href="\/briefs\?document=([0-9a-f]{64})"/.exec(page)![1]!;
    const before = t.rows();
    const compare = await post(
      '/compare',
      form({ document: documentId, a: 'brief@1', b: 'brief@2' }),
    );
    expect(compare.status).toBe(401);
    expect((await post(`${location}/retry`, form({}))).status).toBe(401);
    expect(t.rows()).toEqual(before);
    const pending = await (
      await t.app.request(`/compare?document=${documentId}&a=brief@1&b=brief@2`)
    ).text();
    expect(pending).toContain('id="compare-token"');
  });
});

describe('limits on form posts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      LLM_PROVIDER: 'local',
      RATE_LIMIT_PER_MINUTE: '2',
      MAX_DOCUMENT_BYTES: '2000',
    });
  });
  afterAll(() => t.close());

  it('refuses a body over MAX_DOCUMENT_BYTES with 413, then one over the shared rate limit with 429', async () => {
    const large = await t.app.request('/briefs', {
      method: 'POST',
      body: form({ text: 'The Council said so. '.repeat(200) }),
    });
    expect(large.status).toBe(413);
    expect(await large.text()).toContain('The document is too large');
    // The same budget as /v1: one API request and the form post above spend it.
    expect((await t.app.request('/v1/briefs')).status).toBe(200);
    const limited = await t.app.request('/briefs', {
      method: 'POST',
      body: form({ text: 'The Council said the bridge opens in May.' }),
    });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Too many requests');
    expect(t.rows().briefs).toBe(0);
  });
});
