import { Hono } from 'hono';
import packageJson from '../../package.json' with { type: 'json' };
import {
  REFERENCE_INITIALIZER,
  referenceAssets,
  referenceContentSecurityPolicy,
  referenceInitializer,
  referencePage,
  type ReferenceAssetReader,
} from '../api/reference-page.js';
import { buildOpenApiSpec, type OpenApiDocument } from '../api/spec.js';
import { AppError } from '../errors.js';
import type { AppEnv } from './env.js';

const isReferenceAsset = (name: string): name is keyof typeof referenceAssets => Object.hasOwn(referenceAssets, name);

/**
 * GET /openapi.json (built from the routes' own zod schemas on first request, then reused) and
 * the reference page at /docs with its files. `readAsset` reads swagger-ui-dist's files; without
 * it (or when it finds nothing) they answer 404.
 */
export function referenceRoutes(readAsset?: ReferenceAssetReader) {
  let spec: OpenApiDocument | undefined;
  return new Hono<AppEnv>()
    .get('/openapi.json', (c) => c.json((spec ??= buildOpenApiSpec({ version: packageJson.version }))))
    .get('/docs', (c) => c.html(referencePage, 200, { 'content-security-policy': referenceContentSecurityPolicy }))
    .get('/docs/assets/:file', async (c) => {
      const name = c.req.param('file');
      if (name === REFERENCE_INITIALIZER) return c.body(referenceInitializer, 200, { 'content-type': 'text/javascript; charset=utf-8' });
      const bytes = isReferenceAsset(name) ? await readAsset?.(name) : undefined;
      if (!bytes || !isReferenceAsset(name)) throw new AppError('not_found', `No reference asset ${name}`);
      return c.body(bytes, 200, { 'content-type': referenceAssets[name], 'cache-control': 'public, max-age=86400' });
    });
}
