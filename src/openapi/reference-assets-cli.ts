import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { swaggerUiDistDir } from './reference-assets-node.js';
import { referenceAssets } from './reference-page.js';

// Copies the reference page's files (swagger-ui-dist) into the Worker's static assets, so that
// /docs on Workers loads them from Cloudflare's asset store instead of growing the Worker bundle
// by ~1.9 MB. Run by wrangler's [build] command before every `wrangler dev` / `wrangler deploy`.
//
//   npx tsx src/openapi/reference-assets-cli.ts
//
// The folder is wrangler.toml's [assets] directory; it is build output (dist/ is not committed).

export const WORKER_ASSETS_DIR = 'dist/assets';

/** Copies every file the page links to into `<outDir>/docs/assets/`, the path it is requested at. */
export async function copyReferenceAssets(outDir = WORKER_ASSETS_DIR): Promise<string[]> {
  const from = swaggerUiDistDir();
  const to = join(outDir, 'docs', 'assets');
  await mkdir(to, { recursive: true });
  const names = Object.keys(referenceAssets);
  await Promise.all(names.map((name) => copyFile(join(from, name), join(to, name))));
  return names.map((name) => join(to, name));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = await copyReferenceAssets();
  console.log(`copied ${written.length} reference page files to ${WORKER_ASSETS_DIR}/docs/assets`);
}
