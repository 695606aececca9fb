import { describe, expect, it, vi } from 'vitest';
import type { Fetcher } from '@cloudflare/workers-types';
import { encodingAssetPath, installEncodingAssets } from '../src/llm/encoding-assets.js';
import { countTokens, encodingReady } from '../src/llm/tokens.js';
import { runChunkTask } from '../src/pipeline/chunk-task.js';

// The Worker build: wrangler.toml's [alias] replaces gpt-tokenizer's rank tables with
// src/llm/no-bundled-ranks.ts, and a Worker with the openai provider installs them from its
// static assets before its first invocation runs (src/worker.ts). Here the same replacement is made with vi.mock, and ASSETS is a Fetcher over the
// tables as the build writes them (JSON of gpt-tokenizer's own). Counts and chunks must be
// gpt-tokenizer's, as on Node: the Worker and the Node server cut the same chunks.
vi.mock('gpt-tokenizer/bpeRanks/o200k_base', async () => ({ default: undefined }));
vi.mock('gpt-tokenizer/bpeRanks/cl100k_base', async () => ({ default: undefined }));

type Library = { countTokens: (text: string, options: object) => number };
const library = {
  o200k_base: (await vi.importActual('gpt-tokenizer/encoding/o200k_base')) as Library,
  cl100k_base: (await vi.importActual('gpt-tokenizer/encoding/cl100k_base')) as Library,
};
const tables: Record<string, unknown> = {
  o200k_base: ((await vi.importActual('gpt-tokenizer/bpeRanks/o200k_base')) as { default: unknown })
    .default,
  cl100k_base: (
    (await vi.importActual('gpt-tokenizer/bpeRanks/cl100k_base')) as { default: unknown }
  ).default,
};

/** ASSETS over the rank tables, counting requests; `table` overrides what one path serves. */
function assets(table: (name: string) => unknown = (name) => tables[name]) {
  const requested: string[] = [];
  const fetcher = {
    fetch: async (url: string) => {
      const path = new URL(url).pathname.slice(1);
      requested.push(path);
      const name = /^tokenizer\/(\w+)\.json$/.exec(path)?.[1];
      const body = name ? table(name) : undefined;
      return body === undefined
        ? new Response('not found', { status: 404 })
        : new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    },
  };
  return { fetcher: fetcher as unknown as Fetcher, requested };
}

const texts = [
  'hello world',
  'The ministry said the rail link would "pay for itself" by 2031; critics disagree.',
  'Überschreitung der Grenzwerte — 年度予算の見直し — إعادة النظر في الميزانية — 🚄🚄',
  'a literal <|endoftext|> is text',
  "They don't know; we can't say.", // the two encodings split contractions differently
];
const document = Array.from(
  { length: 60 },
  (_, i) =>
    `Paragraph ${i}: the committee heard from ${i + 3} witnesses about the water transfer, ` +
    `its costs (€${(i * 7.3).toFixed(1)}m) and who would bear them.`,
).join('\n\n');

describe('the tokenizer on Workers (rank tables from the static assets)', () => {
  it('has no table until one is installed: counting for an OpenAI model says so', () => {
    expect(encodingReady('o200k_base')).toBe(false);
    expect(() => countTokens('hello world', 'gpt-4o')).toThrow(/o200k_base.*not in this bundle/);
    expect(() => countTokens('hello world', 'gpt-4')).toThrow(/cl100k_base.*not in this bundle/);
    // Other models are estimated, with or without a table.
    expect(countTokens('hello world', 'llama3.1:8b')).toBe(3);
  });

  it('installs both encodings from ASSETS once, then counts and chunks as gpt-tokenizer does', async () => {
    const { fetcher, requested } = assets();
    await installEncodingAssets(fetcher);
    expect(requested.sort()).toEqual([
      encodingAssetPath('cl100k_base'),
      encodingAssetPath('o200k_base'),
    ]);
    expect(encodingReady('o200k_base') && encodingReady('cl100k_base')).toBe(true);

    await installEncodingAssets(fetcher);
    expect(requested).toHaveLength(2); // installed for the isolate's lifetime

    const asText = { disallowedSpecial: new Set() };
    for (const text of texts) {
      expect(countTokens(text, 'gpt-4o')).toBe(library.o200k_base.countTokens(text, asText));
      expect(countTokens(text, 'gpt-4')).toBe(library.cl100k_base.countTokens(text, asText));
    }

    const task = { text: document, maxTokens: 300, overlapTokens: 30, provider: 'openai' };
    for (const [model, encoding] of [
      ['gpt-4o-mini', library.o200k_base],
      ['gpt-3.5-turbo', library.cl100k_base],
    ] as const) {
      const chunks = runChunkTask({ ...task, model });
      expect(chunks.length).toBeGreaterThan(3);
      // A chunk's body is whole paragraphs, each counted on its own, plus its overlap as one slice.
      for (const piece of chunks) {
        const body = document.slice(piece.bodyStart, piece.end).split('\n\n');
        const overlap = document.slice(piece.start, piece.bodyStart);
        const expected =
          body.reduce((sum, part) => sum + encoding.countTokens(part, asText), 0) +
          (overlap ? encoding.countTokens(overlap, asText) : 0);
        expect(piece.tokens).toBe(expected);
      }
    }
  });

  it('refuses a table that is not the encoding, a missing asset and a missing binding', async () => {
    // A new isolate: the modules evaluated again, nothing installed yet.
    vi.resetModules();
    const fresh = await import('../src/llm/encoding-assets.js');
    const short = assets((name) => (tables[name] as unknown[]).slice(0, 1000));
    await expect(fresh.installEncodingAssets(short.fetcher)).rejects.toThrow(
      /(o200k_base: expected 199998|cl100k_base: expected 100256) ranks, got 1000/,
    );
    const missing = assets((name) => (name === 'cl100k_base' ? undefined : tables[name]));
    await expect(fresh.installEncodingAssets(missing.fetcher)).rejects.toThrow(
      /tokenizer\/cl100k_base\.json answered 404/,
    );
    await expect(fresh.installEncodingAssets(undefined)).rejects.toThrow(/no ASSETS binding/);
  });
});
