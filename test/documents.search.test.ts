import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexDocuments, indexWaiting, saveDocument } from '../src/documents/queries.js';
import { matchExpression } from '../src/documents/search.js';
import { RelatedDocuments } from '../src/documents/related.js';
import { SearchResults } from '../src/documents/search.js';
import { createTestApp, type TestApp } from './support/app.js';

// The library: POST /v1/documents adds without briefing, GET /v1/documents?q= searches the
// FTS5 index the migrations keep in step, GET /v1/documents/:id/related finds the other side.

const seeds = readdirSync('seeds').filter((name) => name.endsWith('.md') && name !== 'README.md');

describe('the document library', () => {
  let t: TestApp;
  const ids = new Map<string, string>();

  const add = (body: unknown) =>
    t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local' });
    for (const name of seeds) {
      const response = await add({ text: readFileSync(`seeds/${name}`, 'utf8'), title: name });
      expect(response.status).toBe(201);
      ids.set(name, ((await response.json()) as { id: string }).id);
    }
  });
  afterAll(() => t.close());

  it('adds a document once, without a brief, and answers 200 for it again', async () => {
    const text = readFileSync('seeds/rent-cap-speech.md', 'utf8');
    const again = await add({ text, title: 'another title' });
    expect(again.status).toBe(200);
    const view = (await again.json()) as { id: string; title: string; briefs: unknown[] };
    expect(view).toMatchObject({ id: ids.get('rent-cap-speech.md'), title: 'rent-cap-speech.md' });
    expect(view.briefs).toEqual([]);
    expect(t.rows()).toMatchObject({ documents: seeds.length, briefs: 0 });
  });

  it('takes a raw Markdown body with its title in the query', async () => {
    const response = await t.app.request('/v1/documents?title=Raw', {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: '# A note\n\nThe harbour authority will dredge the channel in March.',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toMatch(/^\/v1\/documents\/[0-9a-f]{64}$/);
    const found = SearchResults.parse(await (await t.app.request('/v1/documents?q=dredge')).json());
    expect(found.documents.map((d) => d.title)).toEqual(['Raw']);
  });

  it('refuses an empty document, an unknown field and a body it cannot read', async () => {
    for (const [body, code] of [
      [{ text: '   ' }, 'invalid_request'],
      [{ text: 'x', prompt: 'brief@1' }, 'invalid_request'],
    ] as const) {
      const response = await add(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const form = await t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=hello',
    });
    expect(form.status).toBe(415);
  });

  it('searches with stemming, phrases and prefixes, and marks the matched words', async () => {
    const response = await t.app.request('/v1/documents?q=fares');
    expect(response.status).toBe(200);
    const results = SearchResults.parse(await response.json());
    expect(results.documents[0]!.title).toBe('bus-fares-news-report.md');
    for (const hit of results.documents) {
      expect(hit.highlights.length).toBeGreaterThan(0);
      for (const [start, end] of hit.highlights)
        expect(hit.snippet.slice(start, end).toLowerCase()).toMatch(/^far/);
    }
    const phrase = SearchResults.parse(
      await (await t.app.request(`/v1/documents?q=${encodeURIComponent('"rail link"')}`)).json(),
    );
    expect(phrase.documents.map((d) => d.title).sort()).toEqual(
      expect.arrayContaining(['rail-link-ministry-statement.md', 'rail-link-op-ed.md']),
    );
    const prefix = SearchResults.parse(
      await (await t.app.request('/v1/documents?q=strai*')).json(),
    );
    expect(prefix.documents.map((d) => d.title)).toContain('strait-dispute-op-ed.md');
    const none = SearchResults.parse(await (await t.app.request('/v1/documents?q=zyxwvut')).json());
    expect(none.documents).toEqual([]);
  });

  it('reads a query as words, never as FTS5 syntax', async () => {
    expect(matchExpression('rail AND "link" OR')).toBe('"rail" "AND" "link" "OR"');
    expect(matchExpression('water* "rent cap')).toBe('"water"* "rent" "cap"');
    expect(matchExpression('" ( ) -')).toBeNull();
    for (const q of ['"unclosed', 'NEAR(a b)', 'a:b', '-x', '^start']) {
      const response = await t.app.request(`/v1/documents?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBe(200);
    }
    const empty = await t.app.request('/v1/documents?q=%22%20%22');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toMatch(
      /no words/,
    );
    expect((await t.app.request('/v1/documents')).status).toBe(400);
  });

  it('ranks the other side of a dispute first among related documents, with what they share', async () => {
    const pairs = [
      ['rail-link-ministry-statement.md', 'rail-link-op-ed.md'],
      ['rail-link-op-ed.md', 'rail-link-ministry-statement.md'],
      ['water-ownership-paper.md', 'water-transfer-white-paper.md'],
    ];
    for (const [from, to] of pairs) {
      const response = await t.app.request(`/v1/documents/${ids.get(from!)}/related?limit=3`);
      expect(response.status).toBe(200);
      const related = RelatedDocuments.parse(await response.json());
      expect(related.related[0]!.title, from).toBe(to);
      const top = related.related[0]!;
      expect(top.score).toBeGreaterThan(0);
      expect(top.score).toBeLessThanOrEqual(1);
      expect([...top.shared.names, ...top.shared.terms].length).toBeGreaterThan(2);
      for (const later of related.related.slice(1))
        expect(later.score).toBeLessThanOrEqual(top.score);
    }
    const rentCap = RelatedDocuments.parse(
      await (
        await t.app.request(`/v1/documents/${ids.get('rent-cap-speech.md')}/related?limit=2`)
      ).json(),
    );
    expect(rentCap.related.map((d) => d.title).sort()).toEqual([
      'rent-cap-briefing.md',
      'rent-cap-press-release.md',
    ]);
  });

  it('answers 404 and 400 for related documents of an unknown or malformed id', async () => {
    expect((await t.app.request(`/v1/documents/${'0'.repeat(64)}/related`)).status).toBe(404);
    expect((await t.app.request('/v1/documents/xyz/related')).status).toBe(400);
    expect(
      (await t.app.request(`/v1/documents/${ids.get('rail-link-op-ed.md')}/related?limit=99`))
        .status,
    ).toBe(400);
  });

  it('indexes documents stored by briefs too, and a title gained later', async () => {
    const text =
      'The lighthouse keepers association objects to automation of the northern beacons.';
    expect((await t.postJson({ text })).status).toBe(201);
    const untitled = SearchResults.parse(
      await (await t.app.request('/v1/documents?q=lighthouse')).json(),
    );
    expect(untitled.documents).toMatchObject([{ title: null }]);
    // A brief under another prompt version stores the document again, which gains the title.
    expect((await t.postJson({ text, title: 'Beacons', prompt: 'brief@1' })).status).toBe(201);
    const titled = SearchResults.parse(
      await (await t.app.request('/v1/documents?q=beacons')).json(),
    );
    expect(titled.documents).toMatchObject([{ title: 'Beacons' }]);
  });

  it('indexes a document stored without its index entry before it searches (a brief just started)', async () => {
    const text = 'The harbour pilots guild asks for a second tugboat at the estuary mouth.';
    const id = createHash('sha256').update(text).digest('hex');
    await saveDocument(
      { db: t.deps.db },
      { id, title: null, text, mediaType: 'text/plain', pageMap: null },
      { index: false },
    );
    const waiting = () =>
      (t.sqlite.prepare('select count(*) as n from documents_unindexed').get() as { n: number }).n;
    expect(waiting()).toBe(1);
    const found = SearchResults.parse(
      await (await t.app.request('/v1/documents?q=tugboat')).json(),
    );
    expect(found.documents.map((hit) => hit.id)).toEqual([id]);
    expect(waiting()).toBe(0);
    // Indexed once: a second search finds it once, and nothing waits.
    await indexDocuments({ db: t.deps.db });
    const again = SearchResults.parse(
      await (await t.app.request('/v1/documents?q=tugboat')).json(),
    );
    expect(again.documents).toHaveLength(1);
  });

  it('indexes through the given indexer, and only when a document waits (a search takes no write lock)', async () => {
    let indexed = 0;
    const context = {
      db: t.deps.db,
      indexDocuments: async () => {
        indexed++;
        await indexDocuments({ db: t.deps.db });
      },
    };
    await indexWaiting(context);
    expect(indexed).toBe(0);
    const text = 'The canal trust proposes tolls for pleasure boats on the upper locks.';
    const id = createHash('sha256').update(text).digest('hex');
    const document = { id, title: null, text, mediaType: 'text/plain', pageMap: null };
    await saveDocument({ db: t.deps.db }, document, { index: false });
    await indexWaiting(context);
    expect(indexed).toBe(1);
    await indexWaiting(context);
    expect(indexed).toBe(1);
  });

  it('leaves no document of a brief waiting for its index entry', async () => {
    const text = 'The ferry operators warn that the new timetable strands island commuters.';
    expect((await t.postJson({ text })).status).toBe(201);
    const waiting = t.sqlite.prepare('select count(*) as n from documents_unindexed').get();
    expect(waiting).toEqual({ n: 0 });
  });
});
