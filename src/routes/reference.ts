import { Hono } from 'hono';
import packageJson from '../../package.json' with { type: 'json' };
import { AppError } from '../errors.js';
import { binaryBody, textBody, type ApiOperation } from '../openapi/operation.js';
import {
  REFERENCE_INITIALIZER,
  referenceAssets,
  referenceContentSecurityPolicy,
  referenceInitializer,
  referencePage,
  type ReferenceAssetReader,
} from '../openapi/reference-page.js';
import { buildOpenApiSpec, type OpenApiDocument } from '../openapi/spec.js';
import type { AppEnv } from './app-env.js';

const isReferenceAsset = (name: string): name is keyof typeof referenceAssets =>
  Object.hasOwn(referenceAssets, name);

/**
 * GET /openapi.json (built on first request from `operations`, every other route's, plus these,
 * then reused) and the reference page at /docs with its files. `readAsset` reads swagger-ui-dist's
 * files; without it (or when it finds nothing) they answer 404.
 */
export function referenceRoutes(options: {
  operations: readonly ApiOperation[];
  readAsset?: ReferenceAssetReader | undefined;
}) {
  let spec: OpenApiDocument | undefined;
  const operations = [...options.operations, ...referenceOperations];
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) =>
      c.json((spec ??= buildOpenApiSpec({ version: packageJson.version, operations }))),
    )
    .get('/docs', (c) =>
      c.html(referencePage, 200, { 'content-security-policy': referenceContentSecurityPolicy }),
    )
    .get('/docs/assets/:file', async (c) => {
      const name = c.req.param('file');
      if (name === REFERENCE_INITIALIZER)
        return c.body(referenceInitializer, 200, {
          'content-type': 'text/javascript; charset=utf-8',
        });
      const bytes = isReferenceAsset(name) ? await options.readAsset?.(name) : undefined;
      if (!bytes || !isReferenceAsset(name))
        throw new AppError('not_found', `No reference asset ${name}`);
      return c.body(bytes, 200, {
        'content-type': referenceAssets[name],
        'cache-control': 'public, max-age=86400',
      });
    });
}

export const referenceOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApi',
    tag: 'service',
    summary: 'This specification (OpenAPI 3.1)',
    responses: {
      200: {
        description: 'The specification',
        content: { 'application/json': { schema: { type: 'object' } } },
      },
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'reference',
    tag: 'service',
    summary: 'The interactive API reference',
    description:
      'A page that renders this specification; every file it loads is served by this service.',
    responses: { 200: { description: 'The page', content: { 'text/html': textBody } } },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs/assets/{file}',
    operationId: 'referenceAsset',
    tag: 'service',
    summary: 'A script, style sheet or icon of the reference page',
    pathParams: { file: 'A file name the page links to' },
    responses: {
      200: {
        description: 'The file',
        content: {
          'text/javascript': textBody,
          'text/css': textBody,
          'image/png': binaryBody('image/png'),
        },
      },
    },
    errors: ['not_found'],
  },
];
