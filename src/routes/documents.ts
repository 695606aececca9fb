import { Hono } from 'hono';
import { z } from 'zod';
import { addDocument, DocumentView, getDocument } from '../documents/queries.js';
import { RelatedDocuments, relatedDocuments } from '../documents/related.js';
import { SearchResults, searchDocuments } from '../documents/search.js';
import { binaryBody, textBody, type ApiOperation } from '../openapi/operation.js';
import { parseInput, type AppEnv } from './app-env.js';
import { readDocumentBody } from './document-body.js';
import { DocumentId, Title } from './fields.js';
import { sendCached } from './send-cached.js';
import { sendJson } from './send-json.js';

export const DocumentQuery = z.object({
  include: z.enum(['text']).optional().describe('text: include the normalized text'),
});

export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, 'give the words to search for')
    .max(500)
    .describe(
      'Words and "quoted phrases", all of which a document must contain; word* matches a prefix. Stemmed: tariffs finds tariff',
    ),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(10)
    .describe('At most this many (1–50, default 10)'),
});

export const RelatedQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('At most this many (1–20, default 5)'),
});

/** Fields of POST /v1/documents besides the document: its title (JSON, form, or the query of a raw body). */
export const AddDocumentFields = z.strictObject({ title: Title.optional() });
export const AddDocumentBody = AddDocumentFields.extend({
  text: z.string().describe('The document: plain text or Markdown'),
});

export const documentRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const deps = c.get('deps');
    const query = parseInput(AddDocumentFields, c.req.query(), 'query');
    const body = await readDocumentBody(
      c.req,
      query,
      { json: AddDocumentBody, form: AddDocumentFields },
      deps.ingest,
    );
    const { id, created } = await addDocument(deps.briefs, body);
    c.header('Location', `/v1/documents/${id}`);
    return sendJson(c, await getDocument(deps, id, false), created ? 201 : 200);
  })
  // Reads that change as the library grows (a document's list of briefs, its title or pages
  // filled in later, search hits): kept by caches but revalidated, a 304 when nothing changed.
  .get('/', async (c) => {
    const query = parseInput(SearchQuery, c.req.query(), 'query');
    const results = await searchDocuments(c.get('deps'), query.q, query.limit);
    return sendCached(c, results satisfies SearchResults, 'revalidate');
  })
  .get('/:id/related', async (c) => {
    const id = parseInput(DocumentId, c.req.param('id'), 'document id');
    const query = parseInput(RelatedQuery, c.req.query(), 'query');
    const related = await relatedDocuments(c.get('deps'), id, query.limit);
    return sendCached(c, related satisfies RelatedDocuments, 'revalidate');
  })
  .get('/:id', async (c) => {
    const query = parseInput(DocumentQuery, c.req.query(), 'query');
    const document = await getDocument(c.get('deps'), c.req.param('id'), query.include === 'text');
    return sendCached(c, document, 'revalidate');
  });

const location = { Location: 'The document: /v1/documents/{id}' };
/**
 * A document's text never changes under its id (the sha256 of that text), but what these routes
 * answer does: its briefs, a title or page map added later, the library around it.
 */
const revalidate =
  '`public, no-cache` (`private, no-cache` when the request carried Authorization): keep it, but revalidate with If-None-Match before each use';

export const documentOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/v1/documents',
    operationId: 'addDocument',
    tag: 'documents',
    write: true,
    summary: 'Add a document to the library without briefing it',
    description:
      'For search, related documents and perspectives. Send it as for POST /v1/briefs (JSON, multipart or a raw body). ' +
      'A document already in the library is answered 200 as it is stored.',
    query: AddDocumentFields,
    body: {
      description: 'The document. With a raw body, `title` goes in the query.',
      content: {
        'application/json': AddDocumentBody,
        'multipart/form-data': AddDocumentFields.extend({
          file: z
            .file()
            .optional()
            .describe('The document: a PDF, HTML, Markdown or plain-text file'),
          text: z.string().optional().describe('Or the document as text (not with `file`)'),
        }),
        'text/plain': textBody,
        'text/markdown': textBody,
        'text/html': textBody,
        'application/pdf': binaryBody('application/pdf'),
        'application/octet-stream': binaryBody('application/octet-stream'),
      },
    },
    responses: {
      200: { description: 'Already in the library', content: { 'application/json': DocumentView } },
      201: {
        description: 'Added',
        content: { 'application/json': DocumentView },
        headers: location,
      },
    },
    errors: ['invalid_request', 'unsupported_media_type'],
  },
  {
    method: 'get',
    path: '/v1/documents',
    operationId: 'searchDocuments',
    tag: 'documents',
    summary: 'Search the library (full text), best match first, with snippets',
    query: SearchQuery,
    responses: {
      200: { description: 'The matches', content: { 'application/json': SearchResults } },
    },
    caching: revalidate,
    errors: ['invalid_request'],
  },
  {
    method: 'get',
    path: '/v1/documents/{id}/related',
    operationId: 'relatedDocuments',
    tag: 'documents',
    summary: 'The other documents on the same event or dispute, ranked, with what they share',
    description:
      "The document's most salient terms (frequent in it, rare in the library: names, figures and dates included) are searched for at once; " +
      "each result's score (0–1) is the geometric mean of the share of those terms' weight it has and the share of its own frequent terms the document has.",
    pathParams: { id: 'A document id: 64 hex digits' },
    query: RelatedQuery,
    responses: {
      200: {
        description: 'The related documents',
        content: { 'application/json': RelatedDocuments },
      },
    },
    caching: revalidate,
    errors: ['invalid_request', 'not_found'],
  },
  {
    method: 'get',
    path: '/v1/documents/{id}',
    operationId: 'getDocument',
    tag: 'documents',
    summary: "A document's metadata and its briefs",
    pathParams: { id: 'A document id: 64 hex digits' },
    query: DocumentQuery,
    responses: {
      200: { description: 'The document', content: { 'application/json': DocumentView } },
    },
    caching: revalidate,
    errors: ['invalid_request', 'not_found'],
  },
];
