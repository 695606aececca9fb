import { z } from 'zod';
import { BriefView } from '../briefs/view.js';
import { DocumentView } from '../documents/service.js';
import type { ErrorCode } from '../errors.js';
import { CreateBriefBody, CreateBriefQuery, ListBriefsQuery, UploadFields } from '../routes/briefs.js';
import { CompareQuery } from '../routes/compare.js';
import { DocumentQuery } from '../routes/documents.js';
import { CreateEvalBody, EvalQuery, ListEvalsQuery } from '../routes/evals.js';
import * as schemas from './schemas.js';

/** A hand-written JSON Schema, for what zod does not describe: raw text and file bodies, HTML, the spec itself. */
export interface RawSchema {
  schema: Record<string, unknown>;
  /** For `text/event-stream`: the schema of each event's JSON `data` (`x-event-data` in the spec). */
  events?: z.ZodType;
}

/** A body: a zod schema (a request schema the route parses, or a response schema from `apiComponents`) or a raw one. */
export type Body = z.ZodType | RawSchema;

export interface ApiResponse {
  description: string;
  /** Media type → schema. */
  content: Record<string, Body>;
  /** Response header → what it carries. */
  headers?: Record<string, string>;
}

/**
 * One route as /openapi.json documents it. The zod schemas are the objects the route itself
 * parses with (`parseInput`) or answers with, so the spec cannot describe other rules than
 * the ones enforced. test/openapi.routes.test.ts checks that this table and the app's routes
 * are the same set, and test/openapi.responses.test.ts that real responses match it.
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
   * Error codes this route answers with, besides those every /v1 route may (rate_limited,
   * internal) and every write may (unauthorized, payload_too_large). src/api/spec.ts groups
   * them by status (codeToStatus).
   */
  errors: ErrorCode[];
}

export const apiTags = {
  briefs: 'Submit a document and get a brief; read, list and follow briefs.',
  documents: 'Documents are identified by the sha256 of their normalized text.',
  prompts: 'Published prompt versions (`name@N`) and the differences between them.',
  compare: 'Two briefs of one document side by side.',
  evals: 'Corpus evaluations: prompt versions run over a corpus and scored (what `parallax eval` starts).',
  service: 'Health, this specification and the reference page.',
} as const;

const text: RawSchema = { schema: { type: 'string' } };
const binary = (mediaType: string): RawSchema => ({ schema: { type: 'string', format: 'binary', contentMediaType: mediaType } });
const location = { Location: 'The brief: /v1/briefs/{id}' };
const retryAfter = { 'Retry-After': 'Seconds to wait before asking again' };

/** The multipart form of POST /v1/briefs: the document (a `file` part or a `text` field, read by readUploadForm) and UploadFields. */
const UploadForm = UploadFields.extend({
  file: z.file().optional().describe('The document: a PDF, HTML, Markdown or plain-text file'),
  text: z.string().optional().describe('Or the document as text (not with `file`)'),
});

export const apiOperations: ApiOperation[] = [
  {
    method: 'post', path: '/v1/briefs', operationId: 'createBrief', tag: 'briefs', write: true,
    summary: 'Brief a document',
    description:
      'Send the document as JSON, as a multipart upload, or as a raw body (its type is detected from the bytes; the header only narrows it). ' +
      'The same document with the same prompt version, provider, model and params is answered from the cache. ' +
      'A brief still running after `wait` seconds is answered 202: follow it at `Location` or its `/events`.',
    query: CreateBriefQuery,
    body: {
      description: 'The document. With a raw body, `title`, `prompt`, `provider` and `model` go in the query; `application/octet-stream` makes no claim, so the bytes decide between PDF, HTML and text.',
      content: {
        'application/json': CreateBriefBody,
        'multipart/form-data': UploadForm,
        'text/plain': text,
        'text/markdown': text,
        'text/html': text,
        'application/pdf': binary('application/pdf'),
        'application/octet-stream': binary('application/octet-stream'),
      },
    },
    responses: {
      200: { description: 'From the brief cache: nothing ran', content: { 'application/json': BriefView } },
      201: { description: 'Made now', content: { 'application/json': BriefView }, headers: location },
      202: { description: 'Still running', content: { 'application/json': BriefView }, headers: { ...location, ...retryAfter } },
    },
    errors: ['invalid_request', 'unknown_prompt', 'unsupported_media_type', 'llm_invalid_output', 'llm_unavailable'],
  },
  {
    method: 'get', path: '/v1/briefs', operationId: 'listBriefs', tag: 'briefs',
    summary: 'List briefs, newest first',
    query: ListBriefsQuery,
    responses: { 200: { description: 'One page', content: { 'application/json': schemas.BriefList } } },
    errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/briefs/{id}', operationId: 'getBrief', tag: 'briefs',
    summary: 'One brief with its provenance',
    pathParams: { id: 'A brief id: brf_ and 24 hex digits' },
    responses: { 200: { description: 'The brief, in whatever state it is', content: { 'application/json': BriefView } } },
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get', path: '/v1/briefs/{id}/events', operationId: 'followBrief', tag: 'briefs',
    summary: "A brief's progress as server-sent events",
    description:
      'Events, each named by its `type` with the JSON of a BriefEvent as `data`: `status` on connect, `progress` for map and reduce, ' +
      '`verified`, then `succeeded` (with the brief) or `failed`, after which the stream ends. A finished brief sends its final event at once.',
    pathParams: { id: 'A brief id' },
    responses: {
      200: { description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' }, events: schemas.BriefEvent } } },
    },
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get', path: '/v1/documents/{id}', operationId: 'getDocument', tag: 'documents',
    summary: "A document's metadata and its briefs",
    pathParams: { id: 'A document id: 64 hex digits' },
    query: DocumentQuery,
    responses: { 200: { description: 'The document', content: { 'application/json': DocumentView } } },
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get', path: '/v1/prompts', operationId: 'listPrompts', tag: 'prompts',
    summary: 'Every published prompt version',
    responses: { 200: { description: 'The versions', content: { 'application/json': schemas.PromptList } } },
    errors: [],
  },
  {
    method: 'get', path: '/v1/prompts/{ref}', operationId: 'getPrompt', tag: 'prompts',
    summary: 'One prompt version with its templates and source',
    pathParams: { ref: 'name, name@N or name@latest' },
    responses: { 200: { description: 'The version', content: { 'application/json': schemas.PromptDetail } } },
    errors: ['unknown_prompt'],
  },
  {
    method: 'get', path: '/v1/prompts/{ref}/diff/{other}', operationId: 'diffPrompts', tag: 'prompts',
    summary: 'The text diff between two prompt versions',
    pathParams: { ref: 'The version diffed from', other: 'The version diffed to' },
    responses: { 200: { description: 'The diff', content: { 'application/json': schemas.PromptDiff } } },
    errors: ['unknown_prompt'],
  },
  {
    method: 'get', path: '/v1/compare', operationId: 'compareBriefs', tag: 'compare',
    summary: 'Compare two briefs of one document',
    description:
      'Name the briefs (`briefs=<id>,<id>`) or a document and two prompt refs (`document`, `a`, `b`, optionally `model`). ' +
      'With `run=true` a missing version is briefed first; one still running after `wait` seconds is answered 202. ' +
      '`run=true` spends LLM calls, so a server with API_TOKENS asks for `Authorization: Bearer` then (401 without it).',
    query: CompareQuery,
    responses: {
      200: { description: 'The comparison', content: { 'application/json': schemas.Comparison } },
      202: { description: 'A brief is still running', content: { 'application/json': schemas.CompareRunning }, headers: retryAfter },
    },
    errors: ['invalid_request', 'unauthorized', 'not_found', 'unknown_prompt', 'llm_invalid_output', 'llm_unavailable'],
  },
  {
    method: 'post', path: '/v1/evals', operationId: 'createEval', tag: 'evals', write: true,
    summary: 'Run prompt versions over a corpus',
    description:
      'Briefs every document with every prompt version (through both caches: a rerun is instant), then scores the briefs. ' +
      'Answers 202 at once; follow the run at `Location`, whose `progress` counts finished briefs, until `status` is succeeded or failed.',
    body: { description: 'The corpus and what to run over it', content: { 'application/json': CreateEvalBody } },
    responses: { 202: { description: 'Started', content: { 'application/json': schemas.EvalSummary }, headers: { Location: 'The evaluation: /v1/evals/{id}' } } },
    errors: ['invalid_request', 'unknown_prompt'],
  },
  {
    method: 'get', path: '/v1/evals', operationId: 'listEvals', tag: 'evals',
    summary: 'Corpus evaluations, newest first',
    query: ListEvalsQuery,
    responses: { 200: { description: 'One page', content: { 'application/json': schemas.EvalList } } },
    errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/evals/{id}', operationId: 'getEval', tag: 'evals',
    summary: 'One evaluation with its report',
    pathParams: { id: 'An eval id: evl_ and 24 hex digits' },
    query: EvalQuery,
    responses: {
      200: { description: 'The evaluation; with `format=md` its report as Markdown', content: { 'application/json': schemas.EvalDetail, 'text/markdown': text } },
    },
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get', path: '/healthz', operationId: 'health', tag: 'service',
    summary: 'Health: the database answers',
    responses: { 200: { description: 'Healthy', content: { 'application/json': schemas.Health } } },
    errors: ['internal'],
  },
  {
    method: 'get', path: '/openapi.json', operationId: 'openApi', tag: 'service',
    summary: 'This specification (OpenAPI 3.1)',
    responses: { 200: { description: 'The specification', content: { 'application/json': { schema: { type: 'object' } } } } },
    errors: [],
  },
  {
    method: 'get', path: '/docs', operationId: 'reference', tag: 'service',
    summary: 'The interactive API reference',
    description: 'A page that renders this specification; every file it loads is served by this service.',
    responses: { 200: { description: 'The page', content: { 'text/html': text } } },
    errors: [],
  },
  {
    method: 'get', path: '/docs/assets/{file}', operationId: 'referenceAsset', tag: 'service',
    summary: 'A script, style sheet or icon of the reference page',
    pathParams: { file: 'A file name the page links to' },
    responses: {
      200: {
        description: 'The file',
        content: { 'text/javascript': text, 'text/css': text, 'image/png': binary('image/png') },
      },
    },
    errors: ['not_found'],
  },
];
