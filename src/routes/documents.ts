import { Hono } from 'hono';
import { z } from 'zod';
import { DocumentView, getDocument } from '../documents/queries.js';
import type { ApiOperation } from '../openapi/operation.js';
import { parseInput, type AppEnv } from './app-env.js';

export const DocumentQuery = z.object({
  include: z.enum(['text']).optional().describe('text: include the normalized text'),
});

export const documentRoutes = new Hono<AppEnv>().get('/:id', async (c) => {
  const query = parseInput(DocumentQuery, c.req.query(), 'query');
  return c.json(await getDocument(c.get('deps'), c.req.param('id'), query.include === 'text'));
});

export const documentOperations: ApiOperation[] = [
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
    errors: ['invalid_request', 'not_found'],
  },
];
