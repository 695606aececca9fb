import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.js';
import {
  contextWindow,
  DEFAULT_CONTEXT_TOKENS,
  knownContextWindow,
} from '../src/llm/context-windows.js';
import { jsonModeInstruction } from '../src/llm/openai/json-schema.js';
import type { Provider } from '../src/llm/provider.js';
import { estimateTokens } from '../src/llm/tokens.js';
import { briefCacheKey } from '../src/briefs/cache-key.js';
import { ModelBrief } from '../src/briefs/schema.js';
import { bindingContext, contextBudget } from '../src/pipeline/context-budget.js';
import { packMerge, type ReduceGroup } from '../src/pipeline/map-reduce.js';
import { loadPromptRegistry } from '../src/prompts/load-node.js';
import type { Prompt } from '../src/prompts/prompt.js';
import { renderStage } from '../src/prompts/render.js';

describe('knownContextWindow', () => {
  it.each([
    ['gpt-4o-mini', 128_000],
    ['openai/gpt-4o', 128_000],
    ['ft:gpt-4o-mini:acme::abc123', 128_000],
    ['GPT-4.1-mini', 1_047_576],
    ['gpt-4', 8_192],
    ['gpt-4-0613', 8_192],
    ['gpt-4-turbo-2024-04-09', 128_000],
    ['gpt-3.5-turbo', 16_385],
    ['llama3.1:8b', 131_072],
    ['llama3:8b', 8_192],
    ['llama2', 4_096],
    ['meta-llama/Llama-3.1-8B-Instruct', 131_072],
    ['qwen2.5:7b-instruct', 32_768],
    ['mistral', 32_768],
    ['mistral-nemo:12b', 131_072],
  ])('knows %s', (model, tokens) => {
    expect(knownContextWindow(model)).toBe(tokens);
  });

  it('matches a prefix only up to a non-alphanumeric character', () => {
    // "gemma" is in the table, "gemma3" is not; "gpt-4" must not claim "gpt-4x".
    expect(knownContextWindow('gemma3:4b')).toBeUndefined();
    expect(knownContextWindow('gpt-4x')).toBeUndefined();
    expect(knownContextWindow('test-model')).toBeUndefined();
  });

  it('gives the offline analyst no window, a setting precedence, an unknown model the default', () => {
    expect(contextWindow('local', 'analyst-3', 4_096)).toBe(Number.POSITIVE_INFINITY);
    expect(contextWindow('openai', 'gpt-4o', 4_096)).toBe(4_096);
    expect(contextWindow('openai', 'gpt-4o', undefined)).toBe(128_000);
    expect(contextWindow('openai', 'my-finetune', undefined)).toBe(DEFAULT_CONTEXT_TOKENS);
  });
});

describe('contextBudget', () => {
  let brief5: Prompt;
  beforeAll(async () => {
    brief5 = (await loadPromptRegistry('prompts')).resolve('brief@5');
  });
  const provider = (name = 'openai'): Provider => ({
    name,
    defaultModel: 'test-model',
    chunkTokens: 16_000,
    countTokens: (text) => estimateTokens(text),
    generate: () => Promise.reject(new Error('not called')),
  });
  const input = (contextTokens: number | undefined, model = 'test-model', name = 'openai') => ({
    provider: provider(name),
    model,
    prompt: brief5,
    contextTokens,
  });

  it('leaves room for the instructions, the schema, a title at its longest and the answer', () => {
    const budget = contextBudget(input(8_192));
    expect(budget.context).toBe(8_192);
    expect(budget.chunk).toBeGreaterThan(1_000);
    expect(budget.chunk).toBeLessThan(16_000);
    const fence = 'a'.repeat(32);
    const title = 'T'.repeat(400);
    const map = renderStage(
      brief5,
      {
        stage: 'map',
        title,
        chunkCount: 2,
        chunk: { index: 0, text: 'x'.repeat(budget.chunk * 4), start: 0, end: 0 },
      },
      fence,
    );
    const used =
      estimateTokens(map.system) +
      estimateTokens(jsonModeInstruction(ModelBrief)) +
      estimateTokens(map.user) +
      brief5.params.maxOutputTokens;
    expect(used).toBeLessThanOrEqual(8_192);
    // Unused: the title's allowance beyond this one (300 tokens, 76 taken) and a little slack.
    expect(used).toBeGreaterThan(8_192 - 400);
  });

  it('counts no merge when the largest merge group fits, and keeps the key then', () => {
    // gpt-4o-mini: 128k tokens hold 32 answers of 2,500 tokens, and a 16k chunk.
    const wide = contextBudget(input(undefined, 'gpt-4o-mini'));
    expect(wide.partials).toBe(Number.POSITIVE_INFINITY);
    expect(wide.chunk).toBeGreaterThan(16_000);
    expect(bindingContext(input(undefined, 'gpt-4o-mini'))).toBeUndefined();
    expect(bindingContext(input(8_192))).toBe(8_192);
    // An unknown model: the default window, which holds a 16k chunk but not 32 answers.
    expect(bindingContext(input(undefined))).toBe(DEFAULT_CONTEXT_TOKENS);
    expect(contextBudget(input(undefined, 'analyst-3', 'local'))).toEqual({
      context: Number.POSITIVE_INFINITY,
      chunk: Number.POSITIVE_INFINITY,
      partials: Number.POSITIVE_INFINITY,
    });
    expect(bindingContext(input(4_096, 'analyst-3', 'local'))).toBeUndefined();
  });

  it('puts a binding window in the brief cache key, and only a binding one', async () => {
    const parts = async (contextTokens: number | undefined, model = 'test-model') =>
      JSON.parse(
        (
          await briefCacheKey(
            { paramsHashes: new WeakMap(), contextTokens },
            { documentId: 'd', prompt: brief5, provider: provider(), model },
          )
        ).parts,
      ) as unknown[];
    expect(await parts(8_192)).toHaveLength(7);
    expect((await parts(8_192)).at(-1)).toBe(8_192);
    expect(await parts(16_384)).not.toEqual(await parts(8_192));
    expect(await parts(undefined, 'gpt-4o-mini')).toHaveLength(6); // the key it had before
    expect(await parts(1_000_000)).toHaveLength(6);
  });

  it('refuses a window that leaves no room for the document', () => {
    // brief@5 asks for 2,500 tokens of answer and has ~1,900 of instructions and schema.
    let error: unknown;
    try {
      contextBudget(input(4_096));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_request');
    expect((error as AppError).message).toMatch(/context window of test-model \(4096 tokens\)/);
    expect((error as AppError).message).toMatch(/LLM_CONTEXT_TOKENS/);
  });
});

describe('packMerge', () => {
  const NEVER = 2 ** 32; // no key is a content-defined boundary mod 2^32 but 0
  const sum = (sizes: number[], group: ReduceGroup) =>
    sizes.slice(group.start, group.end).reduce((a, b) => a + b, 0);

  it('closes a group where the next partial would take it over the budget', () => {
    const keys = [11, 22, 33, 44, 55];
    expect(packMerge(keys, [4, 4, 4, 4, 4], 10, NEVER, 1)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
  });

  it('leaves a partial over the budget alone, and makes no group of two that do not fit', () => {
    expect(packMerge([1, 2, 3], [6, 6, 6], 10, NEVER, 1)).toHaveLength(3);
    expect(packMerge([1, 2, 3], [3, 30, 3], 10, NEVER, 1)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 2, end: 3 },
    ]);
  });

  it('packs by size alone when every node is a content-defined boundary', () => {
    expect(packMerge([1, 2, 3], [1, 1, 1], 10, 1, 1)).toEqual([{ start: 0, end: 3 }]);
  });

  const random = (seed: number) => () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };

  it('tiles the nodes in order, every group within the budget', () => {
    const next = random(7);
    const keys = Array.from({ length: 500 }, () => Math.floor(next() * 2 ** 32));
    const sizes = keys.map(() => 50 + Math.floor(next() * 100));
    const groups = packMerge(keys, sizes, 450, 4, 3);
    expect(groups[0]!.start).toBe(0);
    expect(groups.at(-1)!.end).toBe(500);
    for (let i = 1; i < groups.length; i++) expect(groups[i]!.start).toBe(groups[i - 1]!.end);
    for (const group of groups) expect(sum(sizes, group)).toBeLessThanOrEqual(450);
    expect(groups.length).toBeLessThan(250); // merges make progress
  });

  it('moves only the groups beside an added partial (packing by position moves all after it)', () => {
    const next = random(42);
    const keys = Array.from({ length: 400 }, () => Math.floor(next() * 2 ** 32));
    const sizes = keys.map(() => 100);
    const editedKeys = [...keys.slice(0, 150), 123_456_789, ...keys.slice(150)];
    const editedSizes = [...sizes, 100];
    // Groups named by the partials they hold, which an insertion does not renumber.
    const named = (groups: ReduceGroup[], of: number[]) =>
      groups.map((group) => of.slice(group.start, group.end).join(','));
    const changed = (capacity: number) => {
      const before = new Set(named(packMerge(keys, sizes, 450, capacity, 2), keys));
      const after = named(packMerge(editedKeys, editedSizes, 450, capacity, 2), editedKeys);
      return after.filter((group) => !before.has(group)).length;
    };
    expect(changed(4)).toBeLessThanOrEqual(4);
    expect(changed(NEVER)).toBeGreaterThan(50);
  });
});
