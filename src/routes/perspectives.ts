import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { retryAfterHeader, type ApiOperation } from '../openapi/operation.js';
import { followPerspectives, PerspectivesEvent } from '../perspectives/follow.js';
import {
  getPerspectives,
  MAX_DOCUMENTS,
  MIN_DOCUMENTS,
  submitPerspectives,
} from '../perspectives/submit.js';
import { PerspectivesView } from '../perspectives/view.js';
import { parseInput, type AppEnv } from './app-env.js';
import { DocumentId, ModelName, PromptRef, ProviderName, WaitSeconds } from './fields.js';

/** JSON body of POST /v1/perspectives. */
export const CreatePerspectivesBody = z.strictObject({
  documents: z
    .array(DocumentId)
    .min(MIN_DOCUMENTS)
    .max(MAX_DOCUMENTS)
    .describe('Ids of stored documents (POST /v1/documents or /v1/briefs stores them)'),
  prompt: PromptRef.optional().describe(
    'A prompt version with a # perspectives section (default: the newest that has one)',
  ),
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});

export const CreatePerspectivesQuery = z.object({
  wait: WaitSeconds.optional().describe(
    "Seconds to wait before answering 202 (default: the server's BRIEF_WAIT_SECONDS)",
  ),
});

export const perspectiveRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const { perspectives, config } = c.get('deps');
    const query = parseInput(CreatePerspectivesQuery, c.req.query(), 'query');
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AppError('invalid_request', 'The body must be JSON: { "documents": [id, id, …] }');
    }
    const input = parseInput(CreatePerspectivesBody, body, 'body');
    const { outcome, view } = await submitPerspectives(
      perspectives,
      input,
      (query.wait ?? config.BRIEF_WAIT_SECONDS) * 1000,
    );
    if (outcome === 'failed') {
      throw new AppError(view.error?.code ?? 'internal', view.error?.message ?? 'Failed', {
        perspectivesId: view.id,
      });
    }
    const location = `/v1/perspectives/${view.id}`;
    if (outcome === 'running') {
      c.header('Location', location);
      c.header('Retry-After', '2');
      return c.json(view, 202);
    }
    if (outcome === 'created') c.header('Location', location);
    return c.json(view, outcome === 'cached' ? 200 : 201);
  })
  .get('/:id', async (c) =>
    c.json(await getPerspectives(c.get('deps').perspectives, c.req.param('id'))),
  )
  .get('/:id/events', async (c) => {
    const { perspectives } = c.get('deps');
    const id = c.req.param('id');
    await getPerspectives(perspectives, id); // 400 / 404 as a JSON error, before the stream starts
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      for await (const event of followPerspectives(perspectives, id, controller.signal)) {
        await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
      }
    });
  });

const location = { Location: 'The perspectives: /v1/perspectives/{id}' };

export const perspectiveOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/perspectives',
    operationId: 'createPerspectives',
    tag: 'perspectives',
    write: true,
    summary: 'Align the claims of two or more documents',
    description:
      'For each key claim of each document, how each other document answers it: `agrees`, `disputes`, `differs` (another figure, date or cause for the same thing) or `silent`, ' +
      'with both quotes located in their own documents (`verified: false` when a quote is not found). ' +
      'The provider reads a claim and the passages retrieved for it, never a whole document. Cached by the set of documents, prompt version, provider, model and params.',
    query: CreatePerspectivesQuery,
    body: { description: 'The documents', content: { 'application/json': CreatePerspectivesBody } },
    responses: {
      200: { description: 'From the cache', content: { 'application/json': PerspectivesView } },
      201: {
        description: 'Made now',
        content: { 'application/json': PerspectivesView },
        headers: location,
      },
      202: {
        description: 'Still running',
        content: { 'application/json': PerspectivesView },
        headers: { ...location, ...retryAfterHeader },
      },
    },
    errors: [
      'invalid_request',
      'not_found',
      'unknown_prompt',
      'llm_invalid_output',
      'llm_unavailable',
      'llm_unauthorized',
    ],
  },
  {
    method: 'get',
    path: '/v1/perspectives/{id}',
    operationId: 'getPerspectives',
    tag: 'perspectives',
    summary: 'One perspectives run, in whatever state it is',
    pathParams: { id: 'A perspectives id: psp_ and 24 hex digits' },
    responses: {
      200: { description: 'The run', content: { 'application/json': PerspectivesView } },
    },
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get',
    path: '/v1/perspectives/{id}/events',
    operationId: 'followPerspectives',
    tag: 'perspectives',
    summary: "A perspectives run's progress as server-sent events",
    description:
      '`progress` events (`done` of `total` claim readings), then `succeeded` or `failed` with the whole view, after which the stream ends.',
    pathParams: { id: 'A perspectives id' },
    responses: {
      200: {
        description: 'The event stream',
        content: {
          'text/event-stream': { schema: { type: 'string' }, events: PerspectivesEvent },
        },
      },
    },
    errors: ['invalid_request', 'not_found'],
  },
];
