import { describe, expect, it } from 'vitest';
import { normalizeText } from '../src/pipeline/normalize.js';

/** Every rule of normalizeText applied unconditionally, in order: what the skipped passes must equal. */
function reference(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ +\n *|\n +/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

describe('normalizeText', () => {
  it.each([
    ['line endings', 'a\r\nb\rc', 'a\nb\nc'],
    ['NFC', 'cafe\u0301', 'caf\u00e9'],
    ['byte-order mark and zero-width characters', '\uFEFFa\u200Bb\u2060c', 'abc'],
    ['control characters but tab and newline', 'a\u0000b\u0007c\u007Fd', 'abcd'],
    ['tabs and Unicode spaces become one space', 'a\t\u00A0b\u3000c', 'a b c'],
    ['lines trimmed, runs of spaces collapsed', '  a   b  \n   c  ', 'a b\nc'],
    ['at most one blank line', 'a\n\n\n\n\nb', 'a\n\nb'],
    [
      'a text already normalized is unchanged',
      'One paragraph.\n\nAnother, with “quotes” — and a dash.',
      'One paragraph.\n\nAnother, with “quotes” — and a dash.',
    ],
  ])('%s', (_name, raw, expected) => {
    expect(normalizeText(raw)).toBe(expected);
  });

  it('equals every pass run unconditionally, on random texts of the characters the passes touch', () => {
    const alphabet = [
      'a',
      'b',
      ' ',
      ' ',
      '\n',
      '\n',
      '\r',
      '\t',
      '\u00A0',
      '\u200B',
      '\uFEFF',
      '\u0007',
      'e\u0301',
      '“',
      '\u3000',
    ];
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2_000; n++) {
      const length = Math.floor(next() * 40);
      const text = Array.from(
        { length },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
      expect(normalizeText(text), JSON.stringify(text)).toBe(reference(text));
      expect(normalizeText(normalizeText(text))).toBe(normalizeText(text));
    }
  });
});
