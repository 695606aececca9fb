import { describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

const ctx = useLlmApp({ CHUNK_TOKENS: '300', CHUNK_OVERLAP_TOKENS: '30', LLM_CONCURRENCY: '3' });

interface Event {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a server-sent event stream to its end. */
async function readEvents(response: Response): Promise<Event[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      return { event: field('event'), data: JSON.parse(field('data')) as Record<string, unknown> };
    });
}

const events = (id: string) => ctx.t.app.request(`/v1/briefs/${id}/events`);

describe('GET /v1/briefs/:id/events', () => {
  it('streams status, map and reduce progress, verified, then succeeded for a multi-chunk brief', async () => {
    ctx.llm.latencyMs = 20;
    const posted = await ctx.t.postJson({ text: policyDocument(40), prompt: 'brief@1' }, '?wait=0');
    expect(posted.status).toBe(202);
    const { id } = BriefView.parse(await posted.json());

    const stream = await readEvents(await events(id));
    const names = stream.map((event) => event.event);
    expect(names[0]).toBe('status');
    expect(stream[0]!.data).toMatchObject({ id, status: 'running' });
    expect(names.at(-1)).toBe('succeeded');
    expect(names.at(-2)).toBe('verified');
    expect(names.slice(1, -2).every((name) => name === 'progress')).toBe(true);

    const final = BriefView.parse(stream.at(-1)!.data.brief);
    expect(final).toMatchObject({ id, status: 'succeeded' });
    const chunks = final.chunks!;
    expect(chunks).toBeGreaterThan(3);

    // Map: chunk i of n done, counting up to n; the call took long enough that most were seen.
    const maps = stream.filter((event) => event.data.stage === 'map').map((event) => event.data);
    expect(maps.every((map) => map.total === chunks)).toBe(true);
    const done = maps.map((map) => map.done as number);
    expect(done).toEqual([...done].sort((x, y) => x - y));
    expect(new Set(done).size).toBe(done.length);
    expect(done.at(-1)).toBe(chunks);
    expect(done.length).toBeGreaterThan(chunks / 2);

    // Reduce: levels in order, each counting up to its total, the last level one merge.
    const reduces = stream.filter((event) => event.data.stage === 'reduce').map((event) => event.data as { level: number; done: number; total: number });
    expect(reduces.length).toBeGreaterThan(0);
    expect(reduces.map((reduce) => reduce.level)).toEqual(reduces.map((reduce) => reduce.level).sort((x, y) => x - y));
    expect(reduces.at(-1)).toMatchObject({ done: 1, total: 1 });
    // The last map finishes before the last reduce level starts.
    const lastMap = stream.findIndex((event) => event.data.stage === 'map' && event.data.done === chunks);
    const lastLevel = stream.findIndex((event) => event.data.stage === 'reduce' && event.data.level === reduces.at(-1)!.level);
    expect(lastMap).toBeLessThan(lastLevel);

    const verified = stream.at(-2)!.data as { citations: number; verifiedCitations: number };
    const citations = [...final.brief!.keyPoints, ...final.brief!.counterPerspectives].flatMap((item) => item.citations);
    expect(verified).toMatchObject({ citations: citations.length, verifiedCitations: citations.filter((c) => c.verified).length });
    ctx.llm.latencyMs = 0;
  });

  it('answers a finished brief with its final event at once', async () => {
    const posted = await ctx.t.postJson({ text: 'The Council said the bridge will open in May. Residents disagree.', prompt: 'brief@1' });
    expect(posted.status).toBe(201);
    const { id } = BriefView.parse(await posted.json());
    const stream = await readEvents(await events(id));
    expect(stream.map((event) => event.event)).toEqual(['succeeded']);
    expect(BriefView.parse(stream[0]!.data.brief).id).toBe(id);
  });

  it('ends a failed brief with failed and its error code', async () => {
    ctx.llm.latencyMs = 30;
    ctx.llm.enqueue({ status: 400, body: { error: { message: 'bad model', type: 'invalid_request_error' } } });
    const posted = await ctx.t.postJson({ text: 'The Treasury said taxes will fall. Economists were not asked.', prompt: 'brief@2' }, '?wait=0');
    expect(posted.status).toBe(202);
    const { id } = BriefView.parse(await posted.json());
    const stream = await readEvents(await events(id));
    expect(stream[0]!.event).toBe('status');
    expect(stream.at(-1)).toMatchObject({ event: 'failed', data: { id, error: { code: 'llm_invalid_output' } } });
    expect(stream.some((event) => event.event === 'succeeded')).toBe(false);
    ctx.llm.latencyMs = 0;
  });

  it('follows a brief run by another process by polling its row', async () => {
    const posted = await ctx.t.postJson({ text: 'The Mayor said fares will rise by 5%. Commuters were not consulted.', prompt: 'brief@1' });
    const { id } = BriefView.parse(await posted.json());
    // As if another live process held it: running, with a lease, and no run here.
    ctx.t.sqlite.prepare("update briefs set status = 'running', lease_until = ? where id = ?").run(Date.now() + 60_000, id);
    const response = await events(id);
    setTimeout(() => ctx.t.sqlite.prepare("update briefs set status = 'succeeded', lease_until = null where id = ?").run(id), 300);
    const stream = await readEvents(response);
    expect(stream.map((event) => event.event)).toEqual(['status', 'succeeded']);
  });

  it('answers 404 for an unknown id and 400 for a malformed one, as JSON errors', async () => {
    const unknown = await events(`brf_${'0'.repeat(24)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    const malformed = await events('nope');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});
