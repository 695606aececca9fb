import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import cl100kRanks from 'gpt-tokenizer/bpeRanks/cl100k_base';
import o200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { WORKER_ASSETS_DIR } from '../openapi/reference-assets-cli.js';
import { encodingAssetPath } from './encoding-assets.js';
import type { EncodingName, EncodingRanks } from './tokens.js';

// Writes gpt-tokenizer's rank tables into the Worker's static assets as JSON, where the Worker
// reads them on first use instead of carrying them in its bundle (src/llm/encoding-assets.ts).
// Run by wrangler's [build] command before every `wrangler dev` / `wrangler deploy`:
//
//   npx tsx src/llm/encoding-assets-cli.ts

const TABLES: Record<EncodingName, EncodingRanks> = {
  o200k_base: o200kRanks,
  cl100k_base: cl100kRanks,
};

export async function writeEncodingAssets(outDir = WORKER_ASSETS_DIR): Promise<string[]> {
  return Promise.all(
    Object.entries(TABLES).map(async ([name, ranks]) => {
      const file = join(outDir, encodingAssetPath(name as EncodingName));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(ranks));
      return file;
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = await writeEncodingAssets();
  console.log(`wrote the tokenizer's rank tables: ${written.join(', ')}`);
}
