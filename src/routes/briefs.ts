import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { followBrief } from '../briefs/events.js';
import { BRIEF_STATUSES } from '../db/schema.js';
import { AppError } from '../errors.js';
import { parseInput, type AppEnv } from './env.js';

const PromptRef = z.string().trim().min(1).max(100);
const Model = z.string().trim().min(1).max(200);
const Title = z.string().max(500);

/** JSON body of POST /v1/briefs. Unknown fields are rejected, so a typo does not go unnoticed. */
export const CreateBriefBody = z.strictObject({
  text: z.string(),
  title: Title.optional(),
  prompt: PromptRef.optional(),
  model: Model.optional(),
});

/** Query of POST /v1/briefs: `wait` seconds, and for raw bodies the fields JSON would carry. */
const CreateBriefQuery = z.object({
  wait: z.coerce.number().min(0).max(600).optional(),
  title: Title.optional(),
  prompt: PromptRef.optional(),
  model: Model.optional(),
});

const ListQuery = z.object({
  document: z.string().regex(/^[0-9a-f]{64}$/, 'a document id is 64 hex digits').optional(),
  prompt: PromptRef.optional(),
  model: Model.optional(),
  provider: z.string().max(50).optional(),
  status: z.enum(BRIEF_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

const RAW_TEXT_TYPES = new Set(['text/plain', 'text/markdown']);

export const briefRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { briefs, config } = c.get('deps');
    const query = parseInput(CreateBriefQuery, c.req.query(), 'query');
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let input: z.infer<typeof CreateBriefBody> & { mediaType: string };
    if (mediaType === 'application/json') {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new AppError('invalid_request', 'The body is not valid JSON');
      }
      input = { ...parseInput(CreateBriefBody, body, 'body'), mediaType: 'text/plain' };
    } else if (RAW_TEXT_TYPES.has(mediaType)) {
      input = { text: decodeUtf8(await c.req.arrayBuffer()), title: query.title, prompt: query.prompt, model: query.model, mediaType };
    } else {
      throw new AppError(
        'unsupported_media_type',
        `Send the document as application/json ({ "text": ... }), text/plain or text/markdown; got ${mediaType || 'no content type'}`,
      );
    }
    const waitMs = (query.wait ?? config.BRIEF_WAIT_SECONDS) * 1000;
    const { outcome, view } = await briefs.submit(input, waitMs);
    if (outcome === 'failed') {
      const error = view.error ?? { code: 'internal', message: 'The brief failed' };
      throw new AppError(error.code as never, error.message, { briefId: view.id });
    }
    if (outcome === 'running') {
      c.header('Location', `/v1/briefs/${view.id}`);
      c.header('Retry-After', '2');
      return c.json(view, 202);
    }
    if (outcome === 'created') c.header('Location', `/v1/briefs/${view.id}`);
    return c.json(view, outcome === 'cached' ? 200 : 201);
  })
  .get('/', async (c) => {
    const filters = parseInput(ListQuery, c.req.query(), 'query');
    return c.json(await c.get('deps').briefs.list(filters));
  })
  .get('/:id', async (c) => c.json(await c.get('deps').briefs.get(c.req.param('id'))))
  // Server-sent events until the brief finishes; see followBrief for what is sent when.
  .get('/:id/events', async (c) => {
    const { briefs, config } = c.get('deps');
    const id = c.req.param('id');
    await briefs.get(id); // 400 / 404 as a JSON error, before the stream starts
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      for await (const event of followBrief(briefs, id, { pollMs: config.BRIEF_POLL_MS, signal: controller.signal })) {
        await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
      }
    });
  });

/** Decodes a raw body as UTF-8, refusing bytes that are not (rather than replacing them silently). */
function decodeUtf8(bytes: ArrayBuffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('invalid_request', 'The body is not valid UTF-8 text');
  }
  // NUL never occurs in text; it marks a binary file sent as text/plain.
  if (text.includes('\u0000')) throw new AppError('invalid_request', 'The body looks like binary data, not text');
  return text;
}
