import { readFileSync, readdirSync } from 'node:fs';
import cl100kRanks from 'gpt-tokenizer/bpeRanks/cl100k_base';
import o200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import {
  CL100K_TOKEN_SPLIT_REGEX,
  O200K_TOKEN_SPLIT_REGEX,
} from 'gpt-tokenizer/esm/encodingParams/constants';
import { GptEncoding } from 'gpt-tokenizer/GptEncoding';
import { describe, expect, it } from 'vitest';
import { fastCounter, type PretokenizedEncoding, pieces } from '../src/llm/pretokenize.js';

/**
 * src/llm/pretokenize.ts must cut text exactly where gpt-tokenizer's expressions do, and count
 * exactly what the library counts: chunk boundaries, and so every brief's cache keys, rest on it.
 */
const EXPRESSIONS: Record<PretokenizedEncoding, RegExp> = {
  o200k_base: O200K_TOKEN_SPLIT_REGEX,
  cl100k_base: CL100K_TOKEN_SPLIT_REGEX,
};
const library = (encoding: PretokenizedEncoding) => {
  const api = GptEncoding.getEncodingApi(encoding, () =>
    encoding === 'o200k_base' ? o200kRanks : cl100kRanks,
  );
  const asText = { disallowedSpecial: new Set<string>() };
  return (text: string) => api.countTokens(text, asText);
};
const libraryPieces = (encoding: PretokenizedEncoding, text: string) =>
  [...text.matchAll(new RegExp(EXPRESSIONS[encoding].source, 'gu'))].map((match) => match[0]);

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

// Every class the expressions tell apart: ASCII letters of both cases, the contraction letters,
// digits, spaces, line breaks, slashes, apostrophes, punctuation, control characters; and
// beyond ASCII, letters of each category (Ll é, Lu É, Lt ǅ, Lm ʰ, Lo 漢), a combining mark,
// other numbers (Arabic-Indic digit, Roman numeral, a fraction), Unicode spaces, typographic
// quotes and dashes.
const ALPHABET = [
  ...'aAbZz09 \'\n\r\t/.,-!()"sStTlLvVeErRdDmM_\u000b\u000c\u001f\u007f',
  ...'éÉǅʰ漢\u0301٣Ⅻ½\u00a0\u2028\u3000\ufeff’“”—…€',
];

describe('pre-tokenizing like gpt-tokenizer', () => {
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    it(`${encoding}: cuts random text where the library's expression does`, () => {
      const next = random(encoding === 'o200k_base' ? 17 : 42);
      for (let n = 0; n < 60_000; n++) {
        let text = '';
        const length = 1 + Math.floor(next() * 16);
        for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
        const ours = pieces(encoding, text);
        const theirs = libraryPieces(encoding, text);
        if (ours.join('\u0001') !== theirs.join('\u0001'))
          expect({ text, pieces: ours }).toEqual({ text, pieces: theirs });
      }
    });
  }

  const documents = [
    ...readdirSync('seeds').map((name) => readFileSync(`seeds/${name}`, 'utf8')),
    // Emoji and other astral characters (surrogate pairs) and a lone surrogate: read by the library.
    'Line one 👍🏽 with emoji.\nLine two, plain.\n/path after a break 𝔘𝔫𝔦 and\n\ud800 lone.',
    'tabs\t\tand  spaces   \n\n  \n trailing   ',
    // A piece of 13 characters or more that begins with a byte-order mark (remembered as a copy).
    '\ufeffinternationalization and internationalization',
    // A long run of digits: pieces of three.
    '1234567890'.repeat(2_000),
    "Contractions: it's, they're, we'LL, I'M, 'tis, don't'd.",
  ];
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
    it(`${encoding}: remembers a piece that begins with a byte-order mark under its own text`, () => {
      const count = library(encoding);
      const fast = fastCounter(encoding, count);
      for (const text of [
        '\ufeffinternationalization',
        'internationalization',
        `\ufeff${' '.repeat(12)}\n`,
        `${' '.repeat(12)}\n`,
      ])
        expect(fast(text), JSON.stringify(text)).toBe(count(text));
    });
    it(`${encoding}: counts the seed documents, and text with emoji, as the library does`, () => {
      const count = library(encoding);
      const fast = fastCounter(encoding, count);
      for (const text of documents) {
        expect(fast(text), JSON.stringify(text.slice(0, 40))).toBe(count(text));
        // Paragraph by paragraph too, as the chunker counts (a second pass hits the memory).
        for (const paragraph of text.split(/\n{2,}/))
          expect(fast(paragraph)).toBe(count(paragraph));
      }
    });
  }
});
