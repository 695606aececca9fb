import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type BriefEvent,
  type BriefView,
  briefEvents,
  createParallaxClient,
  type ErrorCode,
  ok,
  ParallaxError,
  serverSentEvents,
} from '../src/client/index.js';
import { renderSchema, SCHEMA_FILE } from '../src/client/generate-cli.js';
import { policyDocument } from './support/app.js';
import { useServerProcess } from './support/server-process.js';

/** The typed client (src/client/) against a real server process, with API tokens on. */
const TOKEN = 'client-test-token-0123456789';
const ctx = useServerProcess({ API_TOKENS: TOKEN });
const api = () => createParallaxClient(ctx.server.url, { token: TOKEN });
const seed = readFileSync('seeds/rent-cap-speech.md', 'utf8');

describe('the generated types', () => {
  it("are the running server's OpenAPI document's (else: npm run client:generate)", async () => {
    const spec = await (await fetch(`${ctx.server.url}/openapi.json`)).json();
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await renderSchema(spec));
  });
});

describe('the typed client', () => {
  it('briefs a seed, reads the brief back and follows its events', async () => {
    const client = api();
    const posted = await client.POST('/v1/briefs', {
      body: { text: seed, title: 'rent-cap-speech', prompt: 'brief@1' },
    });
    expect(posted.response.status).toBe(201);
    expectTypeOf(posted.data).toEqualTypeOf<BriefView | undefined>();
    const brief = posted.data!;
    expect(brief).toMatchObject({ status: 'succeeded', prompt: { ref: 'brief@1' } });

    const read = await client.GET('/v1/briefs/{id}', { params: { path: { id: brief.id } } });
    expect(read.data?.brief?.headline).toBe(brief.brief!.headline);

    // A finished brief's stream sends its outcome at once, then ends.
    const events: BriefEvent[] = [];
    for await (const event of briefEvents(client, brief.id)) events.push(event);
    expect(events).toEqual([{ type: 'succeeded', id: brief.id, brief: read.data }]);
  });

  it('follows a running brief from its first event to its outcome', async () => {
    const client = api();
    const { data, status } = await ok(
      client.POST('/v1/briefs', {
        params: { query: { wait: 0, title: 'long', prompt: 'brief@1' } },
        headers: { 'content-type': 'text/plain' },
        body: policyDocument(1500, 'water'),
      }),
    );
    expect(status).toBe(202);
    const types: string[] = [];
    let done = 0;
    let outcome: BriefView | undefined;
    for await (const event of briefEvents(client, data.id)) {
      types.push(event.type);
      if (event.type === 'progress' && event.stage === 'map') {
        expect(event.done).toBeGreaterThanOrEqual(done);
        done = event.done;
      }
      if (event.type === 'succeeded') outcome = event.brief;
    }
    expect(types[0]).toBe('status');
    expect(types).toContain('progress');
    expect(types.at(-1)).toBe('succeeded');
    expect(outcome).toMatchObject({ id: data.id, status: 'succeeded' });
    expect(outcome!.chunks).toBeGreaterThan(1);
  });

  it('sends a raw document as its bytes, with its media type', async () => {
    const bytes = new TextEncoder().encode('# Bytes\n\nThe Council said the fee rises in 2027.\n');
    const { data, status } = await ok(
      api().POST('/v1/documents', {
        params: { query: { title: 'bytes' } },
        headers: { 'content-type': 'text/markdown' },
        body: bytes,
      }),
    );
    expect(status).toBe(201);
    expect(data).toMatchObject({ title: 'bytes', mediaType: 'text/markdown' });
    const stored = await ok(
      api().GET('/v1/documents/{id}', {
        params: { path: { id: data.id }, query: { include: 'text' } },
      }),
    );
    expect(stored.data.text).toBe('# Bytes\n\nThe Council said the fee rises in 2027.');
  });

  it('answers an error as a typed envelope, and ok() throws it as a ParallaxError', async () => {
    const client = api();
    const missing = await client.GET('/v1/briefs/{id}', {
      params: { path: { id: 'brf_000000000000000000000000' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expectTypeOf(missing.error!.error.code).toExtend<ErrorCode>();
    expect(missing.error!.error).toMatchObject({ code: 'not_found' });
    expect(missing.error!.error.requestId).toBeTruthy();

    // Without the token a write is refused; the token option is what sends it.
    const anonymous = createParallaxClient(ctx.server.url);
    const refused = await ok(anonymous.POST('/v1/briefs', { body: { text: seed } })).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ParallaxError);
    expect(refused).toMatchObject({ status: 401, code: 'unauthorized' });

    const events = briefEvents(client, 'brf_000000000000000000000000');
    await expect(events.next()).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('serverSentEvents', () => {
  it('parses what a blank-line split gets wrong: CRLF, multi-line data, comments, split reads', async () => {
    const wire = new TextEncoder().encode(
      'event: status\r\ndata: {"a":\r\ndata: "€"}\r\n\r\n: keep-alive\n\nevent: end\ndata: 2\n\n',
    );
    // One byte at a time: every line, and the three bytes of "€", arrive in pieces.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of wire) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const messages = [];
    for await (const message of serverSentEvents(body)) messages.push(message);
    expect(messages).toEqual([
      { event: 'status', data: '{"a":\n"€"}', id: undefined },
      { event: 'end', data: '2', id: undefined },
    ]);
    expect(JSON.parse(messages[0]!.data)).toEqual({ a: '€' });
  });
});
