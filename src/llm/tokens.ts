import cl100kRanks from 'gpt-tokenizer/bpeRanks/cl100k_base';
import o200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';
import { isSpace } from '../lib/chars.js';
import { fastCounter } from './pretokenize.js';

/**
 * Token counts for chunk budgets: the real BPE tokenizer for OpenAI model names, an estimate
 * for everything else (Llama, Qwen, Mistral… served by Ollama or vLLM have their own
 * vocabularies, which we do not ship; four characters a token is the usual rule of thumb for
 * English prose and errs on the side of smaller chunks for most other text).
 */
export function countTokens(text: string, model: string): number {
  let name = encodingByModel.get(model);
  if (name === undefined && !encodingByModel.has(model)) {
    name = encodingOf(model);
    if (encodingByModel.size < 1_000) encodingByModel.set(model, name);
  }
  return name ? countBounded(text, counter(name)) : estimateTokens(text);
}

/** encodingOf per model name: a chunker counts thousands of pieces of one document. */
const encodingByModel = new Map<string, EncodingName | undefined>();

/**
 * Builds the tokenizer a model counts with now, if it has one (an OpenAI model on Node): a
 * server calls it at start-up, because the first count builds a table of 100–200k entries
 * (~0.2–0.8 s of CPU), and a brief's first count happens on the thread that answers requests
 * (its context budget, src/pipeline/context-budget.ts).
 */
export function prepareTokenizer(model: string): void {
  const name = encodingOf(model);
  if (name && encodingReady(name)) counter(name);
}

/** About four characters a token: OpenAI's rule of thumb for English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The BPE encodings OpenAI's models use. */
export const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type EncodingName = (typeof ENCODINGS)[number];
/** An encoding's mergeable tokens by rank, as gpt-tokenizer ships them (bytes that are not UTF-8 as numbers). */
export type EncodingRanks = (string | number[])[];

/** The encoding of an OpenAI model name, or undefined when the model is not OpenAI's. */
export function encodingOf(model: string): EncodingName | undefined {
  // "openai/gpt-4o" (routers), "ft:gpt-4o-mini:org::id" (fine-tunes), any case.
  const name = (model.split('/').pop() ?? '').toLowerCase().replace(/^ft:/, '');
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)([-.:]|$)/.test(name))
    return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-(3|ada))([-.:]|$)/.test(name)) return 'cl100k_base';
  return undefined;
}

/**
 * The rank tables in this build. On Node they are gpt-tokenizer's modules; in the Worker bundle
 * wrangler.toml's [alias] replaces both with src/llm/no-bundled-ranks.ts (undefined): they are
 * 1.5 MB of the bundle's gzipped size, and Workers Free allows 3 MB. There the Worker installs
 * them from its static assets before its first invocation runs (src/llm/encoding-assets.ts).
 */
const BUNDLED: Record<EncodingName, EncodingRanks | undefined> = {
  o200k_base: o200kRanks,
  cl100k_base: cl100kRanks,
};

/** Mergeable tokens of each encoding: a table of another length is not that encoding. */
const RANK_COUNT: Record<EncodingName, number> = { o200k_base: 199_998, cl100k_base: 100_256 };

type Counter = (text: string) => number;

// Built on first use, not at import: building one takes ~0.2–0.8 s of CPU (a Map of 100–200k
// entries), which a process that never counts with it should not pay, nor a Worker at start-up.
const counters = new Map<EncodingName, Counter>();

/** Whether `countTokens` can count with this encoding now (always on Node; on Workers once installed). */
export function encodingReady(name: EncodingName): boolean {
  return counters.has(name) || BUNDLED[name] !== undefined;
}

/** Makes an encoding countable from its rank table; throws when the table is not that encoding's. */
export function installEncoding(name: EncodingName, ranks: EncodingRanks): void {
  if (counters.has(name)) return;
  if (!Array.isArray(ranks) || ranks.length !== RANK_COUNT[name])
    throw new Error(
      `${name}: expected ${RANK_COUNT[name]} ranks, got ${Array.isArray(ranks) ? ranks.length : typeof ranks}`,
    );
  const encoding = GptEncoding.getEncodingApi(name, () => ranks);
  // A document is data: a literal "<|endoftext|>" in it is ordinary text, not a special token
  // (the library's default is to throw on it).
  const asText = { disallowedSpecial: new Set<string>() };
  // The library's count, found piece by piece several times faster (src/llm/pretokenize.ts).
  counters.set(
    name,
    fastCounter(name, (text) => encoding.countTokens(text, asText)),
  );
}

function counter(name: EncodingName): Counter {
  let count = counters.get(name);
  if (!count) {
    const ranks = BUNDLED[name];
    if (!ranks)
      throw new Error(
        `the ${name} tokenizer is not in this bundle: install it (installEncoding) before counting`,
      );
    installEncoding(name, ranks);
    count = counters.get(name)!;
  }
  return count;
}

/**
 * BPE merging is quadratic in the length of one pre-tokenized piece, and a run of text with no
 * whitespace (a long URL, a base64 blob, a paragraph of Chinese or Japanese) is one piece:
 * 100 000 such characters take over ten seconds to count. Runs longer than MAX_RUN are counted
 * in MAX_RUN slices instead; each cut can add at most a token or so, which a chunk budget
 * does not notice, and ordinary prose (words far shorter than MAX_RUN) is counted exactly.
 */
const MAX_RUN = 64;

/**
 * The text between runs longer than MAX_RUN is counted whole, each such run in slices. Runs are
 * found with one loop over the character codes (what `/\S{65,}|\s{65,}/g` matches, ~5× faster
 * than that regex: issue 14's CPU per MB).
 */
function countBounded(text: string, count: Counter): number {
  if (text.length <= MAX_RUN) return count(text);
  let total = 0;
  let from = 0;
  let runStart = 0;
  let runSpace = isSpace(text.charCodeAt(0));
  for (let i = 1; i <= text.length; i++) {
    const space = i < text.length ? isSpace(text.charCodeAt(i)) : !runSpace;
    if (space === runSpace) continue;
    if (i - runStart > MAX_RUN) {
      if (runStart > from) total += count(text.slice(from, runStart));
      for (let at = runStart; at < i; at += MAX_RUN)
        total += count(text.slice(at, Math.min(i, at + MAX_RUN)));
      from = i;
    }
    runStart = i;
    runSpace = space;
  }
  if (from < text.length) total += count(text.slice(from));
  return total;
}
