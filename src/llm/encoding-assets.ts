import type { Fetcher } from '@cloudflare/workers-types';
import {
  ENCODINGS,
  type EncodingName,
  type EncodingRanks,
  encodingReady,
  installEncoding,
} from './tokens.js';

/**
 * The tokenizer on Workers. gpt-tokenizer's rank tables are left out of the Worker bundle
 * (src/llm/no-bundled-ranks.ts) to keep it under Workers Free's 3 MB and its start-up short;
 * the build writes them into the static assets instead (src/llm/encoding-assets-cli.ts). They
 * are the same tables Node imports, so both runtimes count the same tokens and cut the same
 * chunks. Static assets are public: GET /tokenizer/o200k_base.json serves gpt-tokenizer's data.
 */
export function encodingAssetPath(name: EncodingName): string {
  return `tokenizer/${name}.json`;
}

/**
 * Installs every encoding that is not installed yet, from the static assets. The openai
 * provider counts tokens synchronously wherever a brief is planned (context budget, chunks,
 * merge groups) and a request may name any model, so a Worker with that provider installs both
 * before its first invocation runs: ~3 MB read from the asset store and ~0.1–0.3 s of CPU, once
 * per isolate. Each invocation that finds them missing reads them itself (in workerd, I/O in a
 * promise shared between invocations ties one to another's lifetime); installing twice is a no-op.
 */
export async function installEncodingAssets(assets: Fetcher | undefined): Promise<void> {
  const missing = ENCODINGS.filter((name) => !encodingReady(name));
  const tables = await Promise.all(missing.map((name) => fetchRanks(assets, name)));
  for (const [index, name] of missing.entries()) installEncoding(name, tables[index]!);
}

async function fetchRanks(assets: Fetcher | undefined, name: EncodingName): Promise<EncodingRanks> {
  const path = encodingAssetPath(name);
  if (!assets)
    throw new Error(
      `no ASSETS binding: the ${name} tokenizer is read from the static asset ${path}`,
    );
  const response = await assets.fetch(`https://assets.local/${path}`);
  if (!response.ok)
    throw new Error(
      `the static asset ${path} answered ${response.status}: wrangler.toml's [build] command writes it`,
    );
  return (await response.json()) as EncodingRanks;
}
