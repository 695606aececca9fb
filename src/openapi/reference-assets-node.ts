import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ReferenceAssetReader } from './reference-page.js';

/** The folder of the installed swagger-ui-dist package. */
export function swaggerUiDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** On Node the reference page's files are read from the installed swagger-ui-dist package. */
export function nodeReferenceAssets(dir = swaggerUiDistDir()): ReferenceAssetReader {
  return async (name) => readFile(join(dir, name)).catch(() => null);
}
