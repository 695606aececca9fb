import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorkThread } from '../src/lib/work-thread.js';
import { countTokens } from '../src/llm/tokens.js';
import { utf8Bytes } from '../src/lib/chars.js';
import { type Chunk, chunkText, cutChunks, maxChunksOf } from '../src/pipeline/chunk.js';
import { runChunkTask } from '../src/pipeline/chunk-task.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { chunkTextBefore14 } from './support/chunk-before-14.js';

const estimate = (text: string) => Math.ceil(text.length / 4);

/** A document of `n` distinct paragraphs of varying length. */
function makeDocument(n: number): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < n; i++) {
    const sentences = 2 + (i % 5);
    const body = Array.from(
      { length: sentences },
      (_, s) =>
        `Paragraph ${i} sentence ${s} says the ministry expects ${(i * 7 + s) % 97} percent of the budget to be spent on item ${i * 13 + s}.`,
    );
    paragraphs.push(body.join(' '));
  }
  return paragraphs.join('\n\n');
}

describe('chunkText', () => {
  it('gives each chunk as soon as it is cut, before the rest of the text is counted', () => {
    const text = makeDocument(150);
    const options = { maxTokens: 300, overlapTokens: 30 };
    let counted = 0;
    const countTokens = (part: string) => {
      counted += part.length;
      return estimate(part);
    };
    const seen: number[] = [];
    const chunks: Chunk[] = [];
    for (const chunk of cutChunks(text, { ...options, countTokens })) {
      seen.push(counted);
      chunks.push(chunk);
    }
    expect(chunks).toEqual(chunkText(text, { ...options, countTokens: estimate }));
    expect(chunks.length).toBeGreaterThan(10);
    // The first chunk came when under a tenth of the text had been counted.
    expect(seen[0]!).toBeLessThan(text.length / 10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('keeps a document that fits the budget as one chunk', () => {
    const text = makeDocument(3);
    const chunks = chunkText(text, { maxTokens: 10_000, overlapTokens: 50, countTokens: estimate });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ start: 0, end: text.length, text });
  });

  it('keeps offsets exact, covers the whole text, and respects the budget', () => {
    const text = makeDocument(400);
    const chunks = chunkText(text, { maxTokens: 800, overlapTokens: 60, countTokens: estimate });
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
      expect(chunk.tokens).toBeLessThanOrEqual(800);
      expect(chunk.start).toBeLessThanOrEqual(chunk.bodyStart);
    }
    // Bodies tile the text: each begins where the previous ended, up to the paragraph separator.
    for (let i = 1; i < chunks.length; i++) {
      const gap = text.slice(chunks[i - 1]!.end, chunks[i]!.bodyStart);
      expect(gap).toMatch(/^\s*$/);
      expect(chunks[i]!.start).toBeLessThan(chunks[i]!.bodyStart); // overlap carried over
    }
    expect(chunks[0]!.start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(text.length);
  });

  it('cuts on paragraph boundaries when paragraphs fit', () => {
    const text = makeDocument(200);
    const chunks = chunkText(text, { maxTokens: 1_200, overlapTokens: 0, countTokens: estimate });
    for (const chunk of chunks) {
      expect(chunk.start === 0 || text.slice(chunk.start - 2, chunk.start) === '\n\n').toBe(true);
    }
  });

  it('splits an over-long paragraph at sentences, and an over-long sentence at words', () => {
    const longParagraph = Array.from(
      { length: 200 },
      (_, i) => `Sentence number ${i} is here.`,
    ).join(' ');
    const longSentence = Array.from({ length: 3000 }, (_, i) => `word${i}`).join(' ');
    const text = `${longParagraph}\n\n${longSentence}`;
    const chunks = chunkText(text, { maxTokens: 300, overlapTokens: 20, countTokens: estimate });
    for (const chunk of chunks) {
      expect(chunk.tokens).toBeLessThanOrEqual(300);
      expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
    }
    const sentenceCuts = chunks.filter((c) => c.end <= longParagraph.length);
    for (const chunk of sentenceCuts) expect(chunk.text.trimEnd()).toMatch(/\.$/);
  });

  it('changes only the chunks around an edited paragraph', () => {
    const text = makeDocument(600);
    const options = { maxTokens: 700, overlapTokens: 40, countTokens: estimate };
    const before = chunkText(text, options);
    const paragraphs = text.split('\n\n');
    paragraphs[300] = `${paragraphs[300]} An inserted sentence changes this one paragraph only.`;
    const after = chunkText(paragraphs.join('\n\n'), options);
    const seen = new Set(before.map((c) => c.text));
    const changed = after.filter((c) => !seen.has(c.text));
    expect(before.length).toBeGreaterThan(40);
    expect(changed.length).toBeGreaterThanOrEqual(1);
    expect(changed.length).toBeLessThanOrEqual(2);
  });
});

describe('normalizeText', () => {
  it('normalizes line endings, spaces and Unicode form', () => {
    const raw = '\uFEFFCaf\u0065\u0301  policy\r\n\r\n\r\n\r\nSecond\u00A0para\t line  \rthird';
    expect(normalizeText(raw)).toBe('Café policy\n\nSecond para line\nthird');
  });

  // normalizeText skips the passes a text does not need; each case needs exactly one of them.
  it.each([
    ['a carriage return alone', 'one\rtwo', 'one\ntwo'],
    ['a zero-width character alone', 'zero\u200Bwidth\u2060 word', 'zerowidth word'],
    ['a control character alone', 'bell\u0007 and\u007F delete', 'bell and delete'],
    ['a tab alone', 'tab\there', 'tab here'],
    ['a no-break or ideographic space alone', 'no\u00A0break\u3000wide', 'no break wide'],
    ['spaces around line breaks alone', 'line  \n  next \n\n\n\nlast ', 'line\nnext\n\nlast'],
    [
      'nothing to change',
      'Already normal.\n\nTwo paragraphs.',
      'Already normal.\n\nTwo paragraphs.',
    ],
  ])('normalizes %s', (_name, raw, expected) => {
    expect(normalizeText(raw)).toBe(expected);
  });
});

describe('chunking text that has no paragraph breaks', () => {
  it('takes linear time: 100,000 one-character lines, and 200 KB of short sentences', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(97 + (i % 26)));
    for (const text of [lines.join('\n'), 'Go now. '.repeat(25_000)]) {
      const started = performance.now();
      const chunks = chunkText(text, {
        maxTokens: 16_000,
        overlapTokens: 120,
        countTokens: (part) => Math.ceil(part.length / 4),
      });
      // Whole paragraphs through Intl.Segmenter took 35 s and 9 s; generous for a busy machine.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(chunks.at(-1)!.end).toBe(text.length);
      for (const chunk of chunks) expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    }
  });
});

/** Deterministic pseudo-random lower-case letters. */
function letters(count: number, seed = 17): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCharCode(97 + (state % 26));
  }
  return out;
}

const seeds = (() => {
  const dir = new URL('../seeds/', import.meta.url);
  const files = readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md');
  return normalizeText(files.map((name) => readFileSync(new URL(name, dir), 'utf8')).join('\n\n'));
})();

// Documents that take each path of the chunker: paragraphs, sentences (the segmenter, lines with
// and without sentence ends), word runs (a character estimate that fits, a search over spaces,
// halving where there is no space) and overlap tails; several are issue 17's pathological inputs.
const DOCUMENTS: Array<[string, () => string]> = [
  ['the seed documents', () => seeds.slice(0, 60_000)],
  ['150 generated paragraphs', () => makeDocument(150)],
  ['one-character lines', () => 'a\n'.repeat(8_000)],
  ['one-character paragraphs', () => 'a\n\n'.repeat(8_000)],
  ['list items', () => '- a\n'.repeat(2_000)],
  ['short sentences on one line', () => 'Go now. '.repeat(2_000)],
  [
    'lines with sentence ends of several kinds',
    () => 'Mr. Smith went home. Dr. Who? Yes!\u2028Then “so.” e.g. this\n'.repeat(300),
  ],
  [
    'a sentence of 3,000 words with no full stop',
    () =>
      `The Ministry said ${Array.from({ length: 3_000 }, (_, k) => letters(2 + (k % 3), k + 1)).join(' ')}`,
  ],
  ['"1, " repeated: more tokens than characters / 3', () => '1, '.repeat(5_000)],
  [
    'Japanese words between spaces',
    () =>
      Array.from({ length: 1_000 }, (_, i) => '政府は計画を発表した'.slice(0, 2 + (i % 8))).join(
        ' ',
      ),
  ],
  ['Japanese sentences, no spaces', () => '政府は新しい住宅計画を発表した。'.repeat(800)],
  ['15 KB of letters without a space', () => letters(15_000)],
  ['one 20 KB word in a sentence', () => `The ${letters(20_000)} said so.`],
  ['quotation marks opened and never closed', () => 'We said “'.repeat(2_000)],
];

const COUNTERS: Array<[string, (text: string) => number]> = [
  ['four characters a token', (text) => Math.ceil(text.length / 4)],
  ['gpt-4o-mini', (text) => countTokens(text, 'gpt-4o-mini')],
];

const BUDGETS = [
  { maxTokens: 16_000, overlapTokens: 120 },
  { maxTokens: 300, overlapTokens: 30 },
  { maxTokens: 60, overlapTokens: 10 },
];

describe('chunkText against the chunker before issue 14', () => {
  const cuts = (chunks: Chunk[]) =>
    chunks.map(({ start, end, bodyStart, text }) => ({ start, end, bodyStart, text }));

  // Two tokenizers, three budgets, and the old chunker's one-by-one search: allow for a busy machine.
  it.each(DOCUMENTS)('cuts %s where it did', { timeout: 30_000 }, (_name, make) => {
    const text = make();
    for (const [counter, countTokens] of COUNTERS) {
      for (const budget of BUDGETS) {
        const options = { ...budget, countTokens };
        const chunks = chunkText(text, options);
        expect(cuts(chunks), `${counter}, ${budget.maxTokens} tokens`).toEqual(
          cuts(chunkTextBefore14(text, options)),
        );
        for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(budget.maxTokens);
        // The bound a brief relies on to start map calls before the text is cut to the end.
        expect(chunks.length).toBeLessThanOrEqual(maxChunksOf(utf8Bytes(text), budget));
      }
    }
  });

  /** What the chunker gives the tokenizer to count, in lengths of the document. */
  function counted(chunker: typeof chunkText, text: string, budget: (typeof BUDGETS)[number]) {
    let characters = 0;
    chunker(text, {
      ...budget,
      countTokens: (part) => {
        characters += part.length;
        return countTokens(part, 'gpt-4o-mini');
      },
    });
    return characters / text.length;
  }

  it('counts the tokens of prose once, where it counted them twice', () => {
    const text = Array.from({ length: 2 }, (_, i) => seeds.replaceAll('.', `. ${i}`)).join('\n\n');
    expect(counted(chunkTextBefore14, text, BUDGETS[0]!)).toBeGreaterThan(1.9);
    expect(counted(chunkText, text, BUDGETS[0]!)).toBeLessThan(1.1);
  });

  it('finds the end of a word run in a dense sentence with a fraction of the counts', () => {
    const text = '1, '.repeat(5_000);
    const before = counted(chunkTextBefore14, text, BUDGETS[1]!);
    expect(counted(chunkText, text, BUDGETS[1]!)).toBeLessThan(before / 2);
  });
});

describe('chunking on the work thread', () => {
  const thread = startWorkThread();
  afterAll(() => thread.close());

  it('hands each chunk over as a message of its own, in order, then settles with them all', async () => {
    const task = {
      text: seeds.slice(0, 40_000),
      maxTokens: 2_000,
      overlapTokens: 100,
      provider: 'openai',
      model: 'gpt-4o-mini',
    };
    const handed: Chunk[] = [];
    let settled = false;
    const chunks = await thread.chunk(task, (chunk) => {
      expect(settled).toBe(false);
      handed.push(chunk);
    });
    settled = true;
    expect(chunks.length).toBeGreaterThan(3);
    expect(handed).toEqual(chunks);
    expect(chunks).toEqual(runChunkTask(task));
    // Without a listener, the answer carries the chunks itself.
    expect(await thread.chunk(task)).toEqual(chunks);
  }, 30_000);
});
