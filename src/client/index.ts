import { EventSourceParserStream } from 'eventsource-parser/stream';
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

/*
 * The typed client of the Parallax HTTP API: openapi-fetch over the types that openapi-typescript
 * generates from the OpenAPI document (./schema.ts, `npm run client:generate`), so a path, its
 * parameters, its body and each status's answer are checked by the compiler against the spec.
 * The `parallax` CLI speaks to the API through it, over the network or in process.
 *
 *   import { createParallaxClient, briefEvents } from 'parallax/client';
 *   const api = createParallaxClient('http://127.0.0.1:8787', { token });
 *   const { data, error } = await api.POST('/v1/briefs', { body: { text } });
 */

export type { components, paths };
export type Schemas = components['schemas'];
export type BriefView = Schemas['BriefView'];
export type BriefEvent = Schemas['BriefEvent'];
export type DocumentView = Schemas['DocumentView'];
export type PerspectivesView = Schemas['PerspectivesView'];
export type PerspectivesEvent = Schemas['PerspectivesEvent'];
export type Comparison = Schemas['Comparison'];
export type ErrorBody = Schemas['Error'];
export type ErrorCode = ErrorBody['error']['code'];

/**
 * Answers typed as their JSON: the few operations that can answer another media type as well
 * (an evaluation's Markdown report) are typed as the JSON they answer by default.
 */
export type ParallaxClient = Client<paths, `${string}/json`>;

export interface ParallaxClientOptions {
  /** Sent as `Authorization: Bearer`: one of the server's API_TOKENS. */
  token?: string | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Sends each request (default: the global fetch); e.g. an app's in-process `request`. */
  fetch?: (request: Request) => Promise<Response>;
}

/** A client of the API at `baseUrl` (e.g. `http://127.0.0.1:8787`, no trailing path). */
export function createParallaxClient(
  baseUrl: string,
  options: ParallaxClientOptions = {},
): ParallaxClient {
  return createClient<paths, `${string}/json`>({
    baseUrl,
    ...(options.fetch && { fetch: options.fetch }),
    headers: {
      ...options.headers,
      ...(options.token && { authorization: `Bearer ${options.token}` }),
    },
    bodySerializer: serializeBody,
  });
}

/**
 * JSON for an object (every JSON body of the API is one); a raw document (its text or bytes,
 * sent with its `content-type` header) and a FormData as they are, where openapi-fetch's default
 * would quote the text and turn bytes into an object.
 */
function serializeBody(body: unknown): BodyInit {
  if (
    typeof body === 'string' ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  )
    return body as BodyInit;
  return JSON.stringify(body);
}

/** An error answer of the API (`{ error: { code, message, requestId } }`), thrown by `ok` and the event helpers. */
export class ParallaxError extends Error {
  override readonly name = 'ParallaxError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly requestId?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The error of a non-2xx answer: its envelope, or for a body that is none (a proxy's page) `internal` with the status. */
  static of(response: Response, body: unknown): ParallaxError {
    const error = (body as Partial<ErrorBody> | null | undefined)?.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string')
      return new ParallaxError(
        response.status,
        error.code,
        error.message,
        error.requestId,
        error.details,
      );
    return new ParallaxError(response.status, 'internal', `HTTP ${response.status}`);
  }
}

/**
 * The data and status of a 2xx answer; an error answer is thrown as a ParallaxError. For callers
 * that prefer exceptions to openapi-fetch's `{ data, error }`:
 * `const { data } = await ok(api.GET('/v1/briefs/{id}', { params: { path: { id } } }))`.
 */
export async function ok<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; status: number; response: Response }> {
  const { data, error, response } = await request;
  if (!response.ok) throw ParallaxError.of(response, error);
  return { data: data as T, status: response.status, response };
}

/**
 * A brief's events (GET /v1/briefs/{id}/events) until the stream ends: `status` on connect,
 * `progress`, `verified`, then `succeeded` or `failed`. Leaving the loop closes the stream.
 */
export async function* briefEvents(
  client: ParallaxClient,
  id: string,
  init: { signal?: AbortSignal } = {},
): AsyncGenerator<BriefEvent> {
  const { data, error, response } = await client.GET('/v1/briefs/{id}/events', {
    params: { path: { id } },
    parseAs: 'stream',
    ...init,
  });
  if (!response.ok || !data) throw ParallaxError.of(response, error);
  for await (const message of serverSentEvents(data)) yield JSON.parse(message.data) as BriefEvent;
}

/** A perspectives run's events (GET /v1/perspectives/{id}/events): `progress`, then `succeeded` or `failed`. */
export async function* perspectivesEvents(
  client: ParallaxClient,
  id: string,
  init: { signal?: AbortSignal } = {},
): AsyncGenerator<PerspectivesEvent> {
  const { data, error, response } = await client.GET('/v1/perspectives/{id}/events', {
    params: { path: { id } },
    parseAs: 'stream',
    ...init,
  });
  if (!response.ok || !data) throw ParallaxError.of(response, error);
  for await (const message of serverSentEvents(data))
    yield JSON.parse(message.data) as PerspectivesEvent;
}

/**
 * The messages of a `text/event-stream` body, parsed by eventsource-parser (CRLF and CR line
 * ends, multi-line `data`, comments such as the server's keep-alives, events split across reads).
 * Stopping early cancels the body, which closes the connection.
 */
export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: string; id: string | undefined }> {
  const reader = body
    .pipeThrough(new TextDecoderStream() as TransformStream<Uint8Array, string>)
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield { event: value.event ?? 'message', data: value.data, id: value.id };
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
