import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { followBrief } from '../briefs/events.js';
import { BRIEF_STATUSES } from '../db/schema.js';
import type { SubmitInput } from '../briefs/service.js';
import type { BriefList } from '../api/schemas.js';
import { AppError } from '../errors.js';
import { ingest, type IngestedDocument } from '../ingest/index.js';
import { charsetOf, readUploadForm } from '../ingest/form.js';
import { parseInput, type AppEnv } from './env.js';
import { sendJson } from './json.js';

const PromptRef = z.string().trim().min(1).max(100).describe("A prompt version: name@N, or name / name@latest for the newest (default: the server's DEFAULT_PROMPT)");
const Model = z.string().trim().min(1).max(200).describe("The model (default: the provider's)");
const ProviderName = z.string().trim().min(1).max(50).describe("openai or local, of those the server has (GET /healthz lists them; default: the server's)");
const Title = z.string().max(500).describe("The document's title (default: read from HTML or PDF)");

/** JSON body of POST /v1/briefs. Unknown fields are rejected, so a typo does not go unnoticed. */
export const CreateBriefBody = z.strictObject({
  text: z.string().describe('The document: plain text or Markdown'),
  title: Title.optional(),
  prompt: PromptRef.optional(),
  provider: ProviderName.optional(),
  model: Model.optional(),
});

/** Query of POST /v1/briefs: `wait` seconds, and for raw bodies the fields JSON would carry. */
export const CreateBriefQuery = z.object({
  wait: z.coerce.number().min(0).max(600).optional().describe("Seconds to wait for the brief before answering 202 (default: the server's BRIEF_WAIT_SECONDS)"),
  title: Title.optional(),
  prompt: PromptRef.optional(),
  provider: ProviderName.optional(),
  model: Model.optional(),
});

export const ListBriefsQuery = z.object({
  document: z.string().regex(/^[0-9a-f]{64}$/, 'a document id is 64 hex digits').optional().describe('Only briefs of this document'),
  prompt: PromptRef.optional().describe('Only briefs of this prompt version (name@N, or name@latest)'),
  model: Model.optional().describe('Only briefs made with this model'),
  provider: z.string().max(50).optional().describe('openai or local'),
  status: z.enum(BRIEF_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('The `nextCursor` of the previous page'),
});

/** Multipart fields besides the document, validated like the JSON body's. */
export const UploadFields = z.strictObject({ title: Title.optional(), prompt: PromptRef.optional(), provider: ProviderName.optional(), model: Model.optional() });

export const briefRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { briefs, config } = c.get('deps');
    const query = parseInput(CreateBriefQuery, c.req.query(), 'query');
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let input: SubmitInput;
    if (mediaType === 'application/json') {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new AppError('invalid_request', 'The body is not valid JSON');
      }
      input = { ...parseInput(CreateBriefBody, body, 'body'), mediaType: 'text/plain' };
    } else if (mediaType === 'multipart/form-data') {
      // A file part (PDF, HTML, Markdown, text: read by src/ingest/) or a pasted `text` field.
      let formData: FormData;
      try {
        formData = await c.req.formData();
      } catch {
        throw new AppError('invalid_request', 'The body is not valid multipart/form-data');
      }
      const form = await readUploadForm(formData);
      const fields = parseInput(UploadFields, form.fields, 'form');
      const doc: Partial<IngestedDocument> & { text: string; mediaType: string } =
        form.document.kind === 'text' ? { text: form.document.text, mediaType: 'text/plain' } : await ingest(form.document.bytes, form.document.declared, form.document.charset);
      input = {
        ...doc,
        title: fields.title ?? query.title ?? doc.title,
        prompt: fields.prompt ?? query.prompt,
        provider: fields.provider ?? query.provider,
        model: fields.model ?? query.model,
      };
    } else if (mediaType && mediaType !== 'application/x-www-form-urlencoded') {
      // A raw document; its type is detected from the bytes, the header only narrows it (src/ingest/detect.ts).
      const doc = await ingest(new Uint8Array(await c.req.arrayBuffer()), mediaType, charsetOf(c.req.header('content-type')));
      input = { ...doc, title: query.title ?? doc.title, prompt: query.prompt, provider: query.provider, model: query.model };
    } else {
      throw new AppError(
        'unsupported_media_type',
        `Send the document as application/json ({ "text": ... }), multipart/form-data (a "file" part), or a raw application/pdf, text/html, text/markdown or text/plain body; got ${mediaType || 'no content type'}`,
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
    return sendJson(c, view, outcome === 'cached' ? 200 : 201);
  })
  .get('/', async (c) => {
    const filters = parseInput(ListBriefsQuery, c.req.query(), 'query');
    return c.json((await c.get('deps').briefs.list(filters)) satisfies BriefList);
  })
  .get('/:id', async (c) => sendJson(c, await c.get('deps').briefs.get(c.req.param('id'))))
  // Server-sent events until the brief finishes; see followBrief for what is sent when.
  .get('/:id/events', async (c) => {
    const { briefs, config } = c.get('deps');
    const id = c.req.param('id');
    await briefs.get(id); // 400 / 404 as a JSON error, before the stream starts
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      // A comment line (ignored by EventSource and the CLI) while a long LLM call sends nothing.
      // One at a time: a client that stops reading gets no pile of writes, and is dropped when
      // the last one has not gone out by the next turn.
      let writing = false;
      const keepAlive = setInterval(() => {
        if (stream.aborted || stream.closed) return;
        if (writing) return controller.abort();
        writing = true;
        void stream.write(': keep-alive\n\n').finally(() => (writing = false));
      }, config.EVENTS_KEEPALIVE_MS);
      try {
        for await (const event of followBrief(briefs, id, { pollMs: config.BRIEF_POLL_MS, signal: controller.signal })) {
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
        }
      } finally {
        clearInterval(keepAlive);
      }
    });
  });
