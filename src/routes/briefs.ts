import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { BriefEvent } from '../briefs/events.js';
import { followBrief } from '../briefs/follow.js';
import { getBrief, listBriefs } from '../briefs/queries.js';
import { submitBrief } from '../briefs/submit.js';
import { BriefView } from '../briefs/view.js';
import { BRIEF_STATUSES } from '../briefs/schema.js';
import { AppError } from '../errors.js';
import { binaryBody, retryAfterHeader, textBody, type ApiOperation } from '../openapi/operation.js';
import { parseInput, type AppEnv } from './app-env.js';
import { readDocumentBody } from './document-body.js';
import {
  Cursor,
  DocumentId,
  ModelName,
  PageLimit,
  PromptRef,
  ProviderName,
  Title,
  WaitSeconds,
} from './fields.js';
import { sendCached } from './send-cached.js';
import { sendJson } from './send-json.js';

/** JSON body of POST /v1/briefs. Unknown fields are rejected, so a typo does not go unnoticed. */
export const CreateBriefBody = z.strictObject({
  text: z.string().describe('The document: plain text or Markdown'),
  title: Title.optional(),
  prompt: PromptRef.optional(),
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});

/** Query of POST /v1/briefs: `wait` seconds, `refresh`, and for raw bodies the fields JSON would carry. */
export const CreateBriefQuery = z.object({
  wait: WaitSeconds.optional().describe(
    "Seconds to wait for the brief before answering 202 (default: the server's BRIEF_WAIT_SECONDS)",
  ),
  refresh: z
    .enum(['brief', 'calls'])
    .optional()
    .describe(
      'Run the brief again though one is cached. brief: ignore the brief cache (LLM calls already made are answered from the LLM-call cache); ' +
        "calls: make every LLM call anew too and replace the cache's answers (a model whose weights changed under the same name). " +
        'The new brief takes over the cache; the old one stays readable under its id. A refresh while the brief runs joins that run',
    ),
  title: Title.optional(),
  prompt: PromptRef.optional(),
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});

/** Multipart fields besides the document, validated like the JSON body's (the web UI's form too). */
export const UploadFields = z.strictObject({
  title: Title.optional(),
  prompt: PromptRef.optional(),
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});
export const UPLOAD_FIELDS = Object.keys(UploadFields.shape);

export const ListBriefsQuery = z.object({
  document: DocumentId.optional().describe('Only briefs of this document'),
  prompt: PromptRef.optional().describe(
    'Only briefs of this prompt version (name@N, or name@latest)',
  ),
  model: ModelName.optional().describe('Only briefs made with this model'),
  provider: ProviderName.optional().describe('Only briefs made by this provider: openai or local'),
  status: z.enum(BRIEF_STATUSES).optional(),
  limit: PageLimit,
  cursor: Cursor.optional(),
});

export const BriefList = z
  .object({
    items: z.array(BriefView),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'BriefList' });
export type BriefList = z.infer<typeof BriefList>;

export const briefRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { briefs, config, ingest } = c.get('deps');
    const query = parseInput(CreateBriefQuery, c.req.query(), 'query');
    const { outcome, view } = await submitBrief(
      briefs,
      {
        ...(await readDocumentBody(
          c.req,
          query,
          { json: CreateBriefBody, form: UploadFields },
          ingest,
        )),
        refresh: query.refresh,
      },
      (query.wait ?? config.BRIEF_WAIT_SECONDS) * 1000,
    );
    if (outcome === 'failed') {
      throw new AppError(
        view.error?.code ?? 'internal',
        view.error?.message ?? 'The brief failed',
        { briefId: view.id },
      );
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
    return c.json((await listBriefs(c.get('deps').briefs, filters)) satisfies BriefList);
  })
  // A succeeded brief is final: cached for a year; a running or failed one is not kept.
  .get('/:id', async (c) => {
    const view = await getBrief(c.get('deps').briefs, c.req.param('id'));
    return sendCached(c, view, view.status === 'succeeded' ? 'immutable' : 'no-store');
  })
  // Server-sent events until the brief finishes; see followBrief for what is sent when.
  .get('/:id/events', async (c) => {
    const { briefs, config } = c.get('deps');
    const id = c.req.param('id');
    await getBrief(briefs, id); // 400 / 404 as a JSON error, before the stream starts
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
        for await (const event of followBrief(briefs, id, {
          pollMs: config.BRIEF_POLL_MS,
          signal: controller.signal,
        })) {
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
        }
      } finally {
        clearInterval(keepAlive);
      }
    });
  });

/** The multipart form of POST /v1/briefs: the document (a `file` part or a `text` field) and UploadFields. */
const UploadForm = UploadFields.extend({
  file: z.file().optional().describe('The document: a PDF, HTML, Markdown or plain-text file'),
  text: z.string().optional().describe('Or the document as text (not with `file`)'),
});
const location = { Location: 'The brief: /v1/briefs/{id}' };

export const briefOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/briefs',
    operationId: 'createBrief',
    tag: 'briefs',
    write: true,
    summary: 'Brief a document',
    description:
      'Send the document as JSON, as a multipart upload, or as a raw body (its type is detected from the bytes; the header only narrows it). ' +
      'The same document with the same prompt version, provider, model and params is answered from the cache. ' +
      'A brief still running after `wait` seconds is answered 202: follow it at `Location` or its `/events`.',
    query: CreateBriefQuery,
    body: {
      description:
        'The document. With a raw body, `title`, `prompt`, `provider` and `model` go in the query; ' +
        '`application/octet-stream` makes no claim, so the bytes decide between PDF, HTML and text.',
      content: {
        'application/json': CreateBriefBody,
        'multipart/form-data': UploadForm,
        'text/plain': textBody,
        'text/markdown': textBody,
        'text/html': textBody,
        'application/pdf': binaryBody('application/pdf'),
        'application/octet-stream': binaryBody('application/octet-stream'),
      },
    },
    responses: {
      200: {
        description: 'From the brief cache: nothing ran',
        content: { 'application/json': BriefView },
      },
      201: {
        description: 'Made now',
        content: { 'application/json': BriefView },
        headers: location,
      },
      202: {
        description: 'Still running',
        content: { 'application/json': BriefView },
        headers: { ...location, ...retryAfterHeader },
      },
    },
    errors: [
      'invalid_request',
      'unknown_prompt',
      'unsupported_media_type',
      'llm_invalid_output',
      'llm_unavailable',
      'llm_unauthorized',
    ],
  },
  {
    method: 'get',
    path: '/v1/briefs',
    operationId: 'listBriefs',
    tag: 'briefs',
    summary: 'List briefs, newest first',
    query: ListBriefsQuery,
    responses: { 200: { description: 'One page', content: { 'application/json': BriefList } } },
    errors: ['invalid_request', 'unknown_prompt'],
  },
  {
    method: 'get',
    path: '/v1/briefs/{id}',
    operationId: 'getBrief',
    tag: 'briefs',
    summary: 'One brief with its provenance',
    pathParams: { id: 'A brief id: brf_ and 24 hex digits' },
    responses: {
      200: {
        description: 'The brief, in whatever state it is',
        content: { 'application/json': BriefView },
      },
    },
    caching:
      'A succeeded brief is final: `public, max-age=31536000, immutable` (`private` when the request carried Authorization). Running or failed: `no-store`',
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get',
    path: '/v1/briefs/{id}/events',
    operationId: 'followBrief',
    tag: 'briefs',
    summary: "A brief's progress as server-sent events",
    description:
      'Events, each named by its `type` with the JSON of a BriefEvent as `data`: `status` on connect, `progress` for map and reduce, ' +
      '`verified`, then `succeeded` (with the brief) or `failed`, after which the stream ends. A finished brief sends its final event at once.',
    pathParams: { id: 'A brief id' },
    responses: {
      200: {
        description: 'The event stream',
        content: { 'text/event-stream': { schema: { type: 'string' }, events: BriefEvent } },
      },
    },
    errors: ['invalid_request', 'not_found'],
  },
];
