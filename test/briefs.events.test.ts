import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';
import { spawnServer, type ServerProcess } from './support/server-process.js';

const ctx = useLlmApp({
  CHUNK_TOKENS: '300',
  CHUNK_OVERLAP_TOKENS: '30',
  LLM_CONCURRENCY: '3',
  EVENTS_KEEPALIVE_MS: '100',
});

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
    .filter((block) => block.trim() && !block.startsWith(':')) // comment lines: keep-alives
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? '';
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
    // queued (the chunk count) comes next, unless the run had chunked before the stream opened:
    // then the status event carries the count from the row.
    const queued = names[1] === 'queued';
    expect(names.slice(queued ? 2 : 1, -2).every((name) => name === 'progress')).toBe(true);

    const final = BriefView.parse(stream.at(-1)!.data.brief);
    expect(final).toMatchObject({ id, status: 'succeeded' });
    const chunks = final.chunks!;
    expect(chunks).toBeGreaterThan(3);
    expect(queued ? stream[1]!.data : stream[0]!.data).toMatchObject({ id, chunks });

    // Map: chunk i of n done, counting up to n; the call took long enough that most were seen.
    const maps = stream.filter((event) => event.data.stage === 'map').map((event) => event.data);
    expect(maps.every((map) => map.total === chunks)).toBe(true);
    const done = maps.map((map) => map.done as number);
    expect(done).toEqual([...done].sort((x, y) => x - y));
    expect(new Set(done).size).toBe(done.length);
    expect(done.at(-1)).toBe(chunks);
    expect(done.length).toBeGreaterThan(chunks / 2);

    // Reduce: levels in order, each counting up to its total, the last level one merge.
    const reduces = stream
      .filter((event) => event.data.stage === 'reduce')
      .map((event) => event.data as { level: number; done: number; total: number });
    expect(reduces.length).toBeGreaterThan(0);
    expect(reduces.map((reduce) => reduce.level)).toEqual(
      reduces.map((reduce) => reduce.level).sort((x, y) => x - y),
    );
    expect(reduces.at(-1)).toMatchObject({ done: 1, total: 1 });
    // The last map finishes before the last reduce level starts.
    const lastMap = stream.findIndex(
      (event) => event.data.stage === 'map' && event.data.done === chunks,
    );
    const lastLevel = stream.findIndex(
      (event) => event.data.stage === 'reduce' && event.data.level === reduces.at(-1)!.level,
    );
    expect(lastMap).toBeLessThan(lastLevel);

    const verified = stream.at(-2)!.data as { citations: number; verifiedCitations: number };
    const citations = [...final.brief!.keyPoints, ...final.brief!.counterPerspectives].flatMap(
      (item) => item.citations,
    );
    expect(verified).toMatchObject({
      citations: citations.length,
      verifiedCitations: citations.filter((c) => c.verified).length,
    });
    ctx.llm.latencyMs = 0;
  });

  it('knows the chunk count from the row once the run has chunked the document', async () => {
    ctx.llm.latencyMs = 300;
    const posted = await ctx.t.postJson(
      { text: policyDocument(12, 'transport'), prompt: 'brief@1' },
      '?wait=0',
    );
    const { id } = BriefView.parse(await posted.json());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stream = await readEvents(await events(id));
    const final = BriefView.parse(stream.at(-1)!.data.brief);
    expect(final.chunks).toBeGreaterThan(1);
    expect(stream[0]).toMatchObject({
      event: 'status',
      data: { status: 'running', chunks: final.chunks },
    });
    expect(stream.some((event) => event.event === 'queued')).toBe(false);
    ctx.llm.latencyMs = 0;
  });

  it('sends keep-alive comment lines while a long call sends nothing', async () => {
    ctx.llm.latencyMs = 650;
    const posted = await ctx.t.postJson(
      {
        text: 'The Agency said the dam is safe. Nobody else was asked about the dam.',
        prompt: 'brief@2',
      },
      '?wait=0',
    );
    const { id } = BriefView.parse(await posted.json());
    const text = await (await events(id)).text();
    // EVENTS_KEEPALIVE_MS is 100 here: a 650 ms call leaves room for six; ask for three.
    expect(text.match(/^: keep-alive$/gm)?.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/event: succeeded/);
    ctx.llm.latencyMs = 0;
  });

  it('answers a finished brief with its final event at once', async () => {
    const posted = await ctx.t.postJson({
      text: 'The Council said the bridge will open in May. Residents disagree.',
      prompt: 'brief@1',
    });
    expect(posted.status).toBe(201);
    const { id } = BriefView.parse(await posted.json());
    const stream = await readEvents(await events(id));
    expect(stream.map((event) => event.event)).toEqual(['succeeded']);
    expect(BriefView.parse(stream[0]!.data.brief).id).toBe(id);
  });

  it('ends a failed brief with failed and its error code', async () => {
    ctx.llm.latencyMs = 30;
    ctx.llm.enqueue({
      status: 400,
      body: { error: { message: 'bad model', type: 'invalid_request_error' } },
    });
    const posted = await ctx.t.postJson(
      { text: 'The Treasury said taxes will fall. Economists were not asked.', prompt: 'brief@2' },
      '?wait=0',
    );
    expect(posted.status).toBe(202);
    const { id } = BriefView.parse(await posted.json());
    const stream = await readEvents(await events(id));
    expect(stream[0]!.event).toBe('status');
    expect(stream.at(-1)).toMatchObject({
      event: 'failed',
      data: { id, error: { code: 'llm_invalid_output' } },
    });
    expect(stream.some((event) => event.event === 'succeeded')).toBe(false);
    ctx.llm.latencyMs = 0;
  });

  it('follows a brief run by another process by polling its row', async () => {
    const posted = await ctx.t.postJson({
      text: 'The Mayor said fares will rise by 5%. Commuters were not consulted.',
      prompt: 'brief@1',
    });
    const { id } = BriefView.parse(await posted.json());
    // As if another live process held it: running, with a lease, and no run here.
    ctx.t.sqlite
      .prepare("update briefs set status = 'running', lease_until = ? where id = ?")
      .run(Date.now() + 60_000, id);
    const response = await events(id);
    setTimeout(
      () =>
        ctx.t.sqlite
          .prepare("update briefs set status = 'succeeded', lease_until = null where id = ?")
          .run(id),
      300,
    );
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

// The offline analyst works on the main thread. It reads one chunk at a time with the event loop
// free in between, so the server answers other requests and sends progress while a long brief
// runs. The server is its own process here, as deployed: the client needs an event loop of its own.
describe('a long brief by the offline analyst', () => {
  let dir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parallax-events-'));
    server = await spawnServer(['src/node.ts'], {
      PORT: '0',
      LLM_PROVIDER: 'local',
      DATABASE_PATH: join(dir, 'db.sqlite'),
    });
  });
  afterAll(() => {
    server.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves the server answering, and sends each chunk's progress as it is done", async () => {
    const base = server.url;
    // 2,400 paragraphs: ~180k tokens, several of the analyst's 50k-token chunks.
    const text = policyDocument(2_400, 'energy');
    const posted = await fetch(`${base}/v1/briefs?wait=0`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: text,
    });
    expect(posted.status).toBe(202);
    const { id } = BriefView.parse(await posted.json());

    const arrivals: { event: string; at: number }[] = [];
    const reading = (async () => {
      const response = await fetch(`${base}/v1/briefs/${id}/events`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(bytes, { stream: true });
        for (let end: number; (end = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(end + 2)) {
          const event = /^event: (\w+)$/m.exec(buffer.slice(0, end))?.[1];
          if (event) arrivals.push({ event, at: performance.now() });
        }
      }
    })();

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const meanwhile = BriefView.parse(await (await fetch(`${base}/v1/briefs/${id}`)).json());
    expect(meanwhile.status).toBe('running');

    await reading;
    const final = BriefView.parse(await (await fetch(`${base}/v1/briefs/${id}`)).json());
    expect(final.status).toBe('succeeded');
    expect(final.chunks).toBeGreaterThan(2);
    const finished = arrivals.find((arrival) => arrival.event === 'succeeded')!;
    const progress = arrivals.filter((arrival) => arrival.event === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(3); // map steps (those done before the stream opened are not resent) and the merge
    // Sent as the work went, not all at the end.
    expect(finished.at - progress[0]!.at).toBeGreaterThan(100);
  });
});
