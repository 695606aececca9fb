import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failInterruptedPerspectives } from '../src/perspectives/submit.js';
import { PerspectivesView } from '../src/perspectives/view.js';
import { createTestApp, type TestApp } from './support/app.js';

const seed = (name: string) => readFileSync(new URL(`../seeds/${name}`, import.meta.url), 'utf8');
const COMPANY = 'harbour-closure-company-statement.md';
const UNION = 'harbour-closure-union-reply.md';
const COUNCIL = 'harbour-closure-council-note.md';
const SCHOOL = 'school-meals-budget-note.md';

let t: TestApp;
const ids = new Map<string, string>();
const texts = new Map<string, string>();

async function store(name: string): Promise<string> {
  const response = await t.app.request('/v1/documents', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: seed(name), title: name }),
  });
  expect(response.status).toBeLessThan(300);
  const body = (await response.json()) as { id: string };
  const detail = await t.app.request(`/v1/documents/${body.id}?include=text`);
  texts.set(body.id, ((await detail.json()) as { text: string }).text);
  return body.id;
}

const post = (body: unknown, query = '?wait=30') =>
  t.app.request(`/v1/perspectives${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function perspectives(...names: string[]): Promise<PerspectivesView> {
  const response = await post({ documents: names.map((name) => ids.get(name)!) });
  expect([200, 201]).toContain(response.status);
  return PerspectivesView.parse(await response.json());
}

/** Every non-silent answer as [claim quote, mark, answer quote]. */
function answers(view: PerspectivesView, from: string) {
  return view
    .result!.claims.filter((claim) => claim.documentId === ids.get(from))
    .flatMap((claim) =>
      claim.responses
        .filter((response) => response.mark !== 'silent')
        .map((response) => ({ claim: claim.citation, ...response })),
    );
}

const perspectivesRows = () =>
  (t.sqlite.prepare('select count(*) as n from perspectives').get() as { n: number }).n;

beforeAll(async () => {
  t = await createTestApp();
  for (const name of [COMPANY, UNION, COUNCIL, SCHOOL]) ids.set(name, await store(name));
});
afterAll(() => t.close());

describe('POST /v1/perspectives, offline analyst', () => {
  it('finds every figure the union disputes and every account it denies, quoted on both sides', async () => {
    const view = await perspectives(COMPANY, UNION);
    expect(view.status).toBe('succeeded');
    const found = answers(view, COMPANY);
    const answered = (claim: string, marks: string[], reply: string) => {
      const hit = found.find(
        (a) => a.claim.quote.includes(claim) && a.citation?.quote.includes(reply),
      );
      expect(hit, `${claim} → ${reply}`).toBeDefined();
      expect(marks).toContain(hit!.mark);
      return hit!;
    };
    answered('186 jobs', ['disputes', 'differs'], '264 jobs');
    answered('lost £3.1 million', ['disputes', 'differs'], '£1.2 million');
    answered('12 consultation meetings', ['disputes', 'differs'], '3 meetings');
    answered('consulted at every stage', ['disputes'], 'is false');
    answered('lost money every year since 2019', ['disputes'], 'is false');
    answered('on 4 March 2025', ['differs'], '28 January 2025');
    answered('will close on 30 September 2025', ['agrees'], '30 September 2025');
    // The reply's own denial reads the other way round.
    const denial = answers(view, UNION).find((a) =>
      a.claim.quote.includes('The union was never consulted about the closure.'),
    );
    expect(denial?.mark).toBe('disputes');

    // Both quotes are located in their own documents.
    for (const claim of view.result!.claims) {
      expect(claim.citation.verified).toBe(true);
      const text = texts.get(claim.documentId)!;
      expect(text.slice(claim.citation.start!, claim.citation.end!)).toBe(claim.citation.quote);
      for (const response of claim.responses) {
        if (!response.citation) {
          expect(response.mark).toBe('silent');
          continue;
        }
        expect(response.citation.verified).toBe(true);
        const other = texts.get(response.documentId)!;
        expect(other.slice(response.citation.start!, response.citation.end!)).toBe(
          response.citation.quote,
        );
      }
    }
  });

  it('writes no dispute between unrelated documents', async () => {
    for (const harbour of [COMPANY, UNION, COUNCIL]) {
      const view = await perspectives(harbour, SCHOOL);
      const marks = view.result!.claims.flatMap((c) => c.responses.map((r) => r.mark));
      expect(marks).not.toContain('disputes');
      expect(marks).not.toContain('differs');
    }
  });

  it("finds the ministry's rejection of the campaign's homes figure, and no dispute where none is written", async () => {
    const pairs = [
      ['rail-link-op-ed.md', 'rail-link-ministry-statement.md'],
      ['rent-cap-press-release.md', 'rent-cap-speech.md'],
      ['rent-cap-briefing.md', 'rent-cap-speech.md'],
    ] as const;
    for (const name of pairs.flat()) if (!ids.has(name)) ids.set(name, await store(name));
    const rail = await perspectives(...pairs[0]);
    const disputes = answers(rail, 'rail-link-op-ed.md').filter((a) => a.mark === 'disputes');
    expect(disputes).toHaveLength(1);
    expect(disputes[0]!.claim.quote).toContain('as many as 340 homes');
    expect(disputes[0]!.citation!.quote).toContain('misleading figures on the number of homes');
    expect(disputes[0]!.citation!.verified).toBe(true);
    // The rent-cap pair argue opposite sides without denying each other's statements.
    for (const [a, b] of pairs.slice(1)) {
      const view = await perspectives(a, b);
      const marks = view.result!.claims.flatMap((c) => c.responses.map((r) => r.mark));
      expect(marks, `${a} / ${b}`).not.toContain('disputes');
    }
  });

  it('answers a repeat from the cache, whatever the order of the ids, with no new call', async () => {
    const first = await post({ documents: [ids.get(COMPANY), ids.get(COUNCIL)] });
    expect(first.status).toBe(201);
    const made = PerspectivesView.parse(await first.json());
    expect(first.headers.get('location')).toBe(`/v1/perspectives/${made.id}`);
    const calls = t.rows().llmCalls;
    const again = await post({ documents: [ids.get(COUNCIL), ids.get(COMPANY)] });
    expect(again.status).toBe(200);
    expect(PerspectivesView.parse(await again.json()).id).toBe(made.id);
    expect(t.rows().llmCalls).toBe(calls);
    const read = await t.app.request(`/v1/perspectives/${made.id}`);
    expect(PerspectivesView.parse(await read.json()).result).toEqual(made.result);
  });

  it('runs concurrent identical requests once', async () => {
    const rows = perspectivesRows();
    const body = { documents: [ids.get(UNION), ids.get(COUNCIL)] };
    const [a, b] = await Promise.all([post(body), post(body)]);
    const [va, vb] = [await a.json(), await b.json()].map((v) => PerspectivesView.parse(v));
    expect(va!.id).toBe(vb!.id);
    expect(perspectivesRows()).toBe(rows + 1);
  });

  it('streams the final view as a server-sent event', async () => {
    const view = await perspectives(COMPANY, UNION);
    const response = await t.app.request(`/v1/perspectives/${view.id}/events`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toContain('event: succeeded');
    expect(text).toContain(view.id);
  });

  it('refuses bad requests with a code and a message, and writes nothing', async () => {
    const rows = perspectivesRows();
    const company = ids.get(COMPANY)!;
    const cases: Array<[unknown, number, string]> = [
      [{ documents: [company] }, 400, 'invalid_request'],
      [{ documents: [company, company] }, 400, 'invalid_request'],
      [{ documents: [company, 'abc'] }, 400, 'invalid_request'],
      [{ documents: [company, 'f'.repeat(64)] }, 404, 'not_found'],
      [{ documents: [company, ids.get(UNION)], prompt: 'brief@99' }, 404, 'unknown_prompt'],
      [{ documents: [company, ids.get(UNION)], prompt: 'brief@4' }, 400, 'invalid_request'],
      [{ documents: [company, ids.get(UNION)], extra: 1 }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(10);
    }
    const notJson = await t.app.request('/v1/perspectives', { method: 'POST', body: 'nope' });
    expect(notJson.status).toBe(400);
    expect(perspectivesRows()).toBe(rows);
    expect((await t.app.request('/v1/perspectives/psp_nope')).status).toBe(400);
    expect((await t.app.request(`/v1/perspectives/psp_${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('marks a run whose process stopped as failed, and a new POST runs it again', async () => {
    const body = { documents: [ids.get(COMPANY), ids.get(SCHOOL)] };
    const made = PerspectivesView.parse(await (await post(body)).json());
    // As a process that died mid-run leaves it: running, its lease lapsed.
    t.sqlite
      .prepare("update perspectives set status = 'running', lease_until = 1 where id = ?")
      .run(made.id);
    expect(await failInterruptedPerspectives(t.deps.perspectives)).toBe(1);
    const read = PerspectivesView.parse(
      await (await t.app.request(`/v1/perspectives/${made.id}`)).json(),
    );
    expect(read.status).toBe('failed');
    expect(read.error?.message).toContain('Interrupted');
    const again = await post(body);
    expect(again.status).toBe(201);
    expect(PerspectivesView.parse(await again.json())).toMatchObject({
      id: made.id,
      status: 'succeeded',
    });
  });
});
