import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../src/errors.js';
import { createTestApp, type TestApp } from './support/app.js';

// One prompt-ref rule on every route and form (issue 12): the same ref gets the same answer
// from the API's JSON body, query and multipart fields, the list filter, compare, evals, and
// the web UI's forms and pages. A ref that names no published version is 404 unknown_prompt,
// surrounding whitespace is trimmed, and nothing is written for a refused ref.

const TEXT =
  'The Ministry said the reform will cut waiting lists by 40%. Critics were not consulted.';

let t: TestApp;
let documentId: string;
beforeAll(async () => {
  t = await createTestApp({ LLM_PROVIDER: 'local' });
  const made = await t.postJson({ text: TEXT, prompt: 'brief@1' });
  expect(made.status).toBe(201);
  documentId = ((await made.json()) as { document: { id: string } }).document.id;
});
afterAll(() => t.close());

/** Every place a prompt ref goes in, each answering with a status and (for the API) an error code. */
function surfaces(ref: string): [string, () => Response | Promise<Response>][] {
  const q = encodeURIComponent(ref);
  const multipart = new FormData();
  multipart.set('text', TEXT);
  multipart.set('prompt', ref);
  const webForm = new FormData();
  webForm.set('text', TEXT);
  webForm.set('file', new File([], '', { type: 'application/octet-stream' }));
  webForm.set('prompt', ref);
  const compareForm = new FormData();
  compareForm.set('document', documentId);
  compareForm.set('a', ref);
  compareForm.set('b', 'brief@1');
  const json = (path: string, body: unknown) =>
    t.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return [
    ['POST /v1/briefs JSON', () => json('/v1/briefs', { text: TEXT, prompt: ref })],
    [
      'POST /v1/briefs raw, prompt in the query',
      () =>
        t.app.request(`/v1/briefs?prompt=${q}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: TEXT,
        }),
    ],
    [
      'POST /v1/briefs multipart',
      () => t.app.request('/v1/briefs', { method: 'POST', body: multipart }),
    ],
    ['GET /v1/briefs?prompt=', () => t.app.request(`/v1/briefs?prompt=${q}`)],
    [
      'GET /v1/compare?a=',
      () => t.app.request(`/v1/compare?document=${documentId}&a=${q}&b=brief@1&run=true`),
    ],
    [
      'POST /v1/evals',
      () => json('/v1/evals', { prompts: [ref], documents: [{ id: 'one', document: TEXT }] }),
    ],
    ['web POST /briefs', () => t.app.request('/briefs', { method: 'POST', body: webForm })],
    ['web GET /briefs?prompt=', () => t.app.request(`/briefs?prompt=${q}`)],
    [
      'web GET /compare?a=',
      () => t.app.request(`/compare?document=${documentId}&a=${q}&b=brief@1`),
    ],
    ['web POST /compare', () => t.app.request('/compare', { method: 'POST', body: compareForm })],
  ];
}

describe('a prompt ref', () => {
  it.each(['brief@99', 'brief@abc', 'nope', 'nope@1', ' brief@99 '])(
    '%j is 404 unknown_prompt everywhere, and writes nothing',
    async (ref) => {
      const before = t.rows();
      for (const [where, send] of surfaces(ref)) {
        const response = await send();
        expect(response.status, where).toBe(404);
        if (where.startsWith('web')) {
          expect(response.headers.get('content-type'), where).toMatch(/^text\/html/);
          expect(await response.text(), where).toMatch(/(Unknown|Malformed) prompt/);
        } else {
          expect(ErrorBody.parse(await response.json()).error.code, where).toBe('unknown_prompt');
        }
      }
      expect(t.rows()).toEqual(before);
    },
  );

  it('is trimmed everywhere: " brief@1 " is brief@1', async () => {
    for (const [where, send] of surfaces(' brief@1 ')) {
      const response = await send();
      expect(response.status, where).toBeLessThan(400);
      if (where === 'POST /v1/briefs JSON' || where === 'GET /v1/compare?a=') {
        const body = (await response.json()) as { prompt?: { ref: string }; a?: unknown };
        if (body.prompt) expect(body.prompt.ref, where).toBe('brief@1');
      }
      if (where === 'POST /v1/evals') {
        // Let the evaluation it started finish, so the next test sees no row being written.
        const location = response.headers.get('location')!;
        await expect
          .poll(
            async () =>
              ((await (await t.app.request(location)).json()) as { status: string }).status,
          )
          .toBe('succeeded');
      }
      if (where === 'GET /v1/briefs?prompt=') {
        const list = (await response.json()) as { items: { prompt: { ref: string } }[] };
        expect(list.items.length, where).toBeGreaterThan(0);
        expect(new Set(list.items.map((item) => item.prompt.ref)), where).toEqual(
          new Set(['brief@1']),
        );
      }
    }
  });
});
