import { sha256Hex, stableStringify } from '../lib/hash.js';
import type { Provider } from '../llm/provider.js';
import { bindingContext } from '../pipeline/context-budget.js';
import type { Prompt } from '../prompts/prompt.js';
import type { BriefContext } from './context.js';

/** What a brief is made of: the brief cache's key is built from these and nothing else. */
export interface BriefKeyInput {
  documentId: string;
  prompt: Prompt;
  provider: Provider;
  model: string;
}

export interface BriefKey {
  /**
   * The key's parts as one string, for the in-memory lookup of a repeated POST (hashing is
   * skipped there). They are strings and a number, so plain JSON is already the stable encoding.
   */
  parts: string;
  paramsHash: string;
  /** sha256 of `parts`: `briefs.cache_key`. */
  hash(): Promise<string>;
}

/**
 * The brief cache's key (DESIGN.md "Two cache levels"): document, prompt ref and sha256,
 * provider, model and the params hash, and the model's context window when it changes how the
 * brief is made (src/pipeline/context-budget.ts, bindingContext): where no window binds, the
 * key is the one it was before windows counted. Computed once per submission; `hash()` only
 * when the in-memory lookup by `parts` missed.
 */
export async function briefCacheKey(
  context: Pick<BriefContext, 'paramsHashes' | 'contextTokens'>,
  input: BriefKeyInput,
): Promise<BriefKey> {
  const { documentId, prompt, provider, model } = input;
  const paramsHash = await paramsHashOf(context, prompt);
  const window = bindingContext({ provider, model, prompt, contextTokens: context.contextTokens });
  const parts = JSON.stringify([
    documentId,
    prompt.ref,
    prompt.sha256,
    provider.name,
    model,
    paramsHash,
    ...(window === undefined ? [] : [window]),
  ]);
  let hashed: Promise<string> | undefined;
  return { parts, paramsHash, hash: () => (hashed ??= sha256Hex(parts)) };
}

/** sha256 of a prompt version's params, memoized: a published version's params never change. */
export function paramsHashOf(
  context: Pick<BriefContext, 'paramsHashes'>,
  prompt: Prompt,
): Promise<string> {
  let hash = context.paramsHashes.get(prompt);
  if (!hash) context.paramsHashes.set(prompt, (hash = sha256Hex(stableStringify(prompt.params))));
  return hash;
}
