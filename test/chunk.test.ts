import { describe, expect, it } from 'vitest';
import { chunkText } from '../src/pipeline/chunk.js';
import { normalizeText } from '../src/pipeline/normalize.js';

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
