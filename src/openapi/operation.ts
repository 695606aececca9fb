import type { z } from 'zod';
import type { ErrorCode } from '../errors.js';

/**
 * How a route describes itself to /openapi.json. Each route module (src/routes/<resource>.ts)
 * exports its operations beside its handlers, built from the very zod schemas the handlers
 * parse with and answer with, so the spec cannot describe other rules than the ones enforced.
 * test/openapi.routes.test.ts checks that the operations and the app's routes are the same
 * set, and test/openapi.responses.test.ts that real responses match them.
 */
export interface ApiOperation {
  method: 'get' | 'post';
  /** OpenAPI path template: `{id}` where hono writes `:id`. */
  path: string;
  operationId: string;
  tag: keyof typeof apiTags;
  summary: string;
  description?: string;
  /** Path parameter → description. Path parameters are strings; the domain checks their form. */
  pathParams?: Record<string, string>;
  query?: z.ZodType;
  body?: { description: string; content: Record<string, Body> };
  /** Needs `Authorization: Bearer` when the server sets API_TOKENS (every non-GET route under /v1). */
  write?: true;
  responses: Record<number, ApiResponse>;
  /**
   * For GETs answered with an ETag (src/routes/send-cached.ts): what their Cache-Control says.
   * The spec then documents the If-None-Match header, the 200's ETag and Cache-Control, and 304.
   */
  caching?: string;
  /**
   * Error codes this route answers with, besides those every /v1 route may (rate_limited,
   * internal) and every write may (unauthorized, payload_too_large). src/openapi/spec.ts
   * groups them by status (codeToStatus).
   */
  errors: ErrorCode[];
}

/** A hand-written JSON Schema, for what zod does not describe: raw text and file bodies, HTML, the spec itself. */
export interface RawSchema {
  schema: Record<string, unknown>;
  /** For `text/event-stream`: the schema of each event's JSON `data` (`x-event-data` in the spec). */
  events?: z.ZodType;
}

/**
 * A body: a zod schema or a raw one. A response's zod schema must be a named component: one
 * given an id with `.meta({ id })` where it is defined (src/openapi/spec.ts refuses others).
 */
export type Body = z.ZodType | RawSchema;

export interface ApiResponse {
  description: string;
  /** Media type → schema. */
  content: Record<string, Body>;
  /** Response header → what it carries. */
  headers?: Record<string, string>;
}

export const apiTags = {
  briefs: 'Submit a document and get a brief; read, list and follow briefs.',
  documents: 'Documents are identified by the sha256 of their normalized text.',
  prompts: 'Published prompt versions (`name@N`) and the differences between them.',
  compare: 'Two briefs of one document side by side.',
  perspectives:
    'How other documents answer each key claim of a document: agrees, disputes, differs or silent, quoted on both sides.',
  evals:
    'Corpus evaluations: prompt versions run over a corpus and scored (what `parallax eval` starts).',
  service: 'Health, this specification and the reference page.',
  cache:
    'What the database holds, and pruning the LLM-call cache. A brief is re-run on purpose with `POST /v1/briefs?refresh=`.',
} as const;

/** A body that is plain text (or HTML, Markdown): nothing for JSON Schema to say but "a string". */
export const textBody: RawSchema = { schema: { type: 'string' } };

/** A body of bytes of one media type. */
export const binaryBody = (mediaType: string): RawSchema => ({
  schema: { type: 'string', format: 'binary', contentMediaType: mediaType },
});

export const retryAfterHeader = { 'Retry-After': 'Seconds to wait before asking again' };
