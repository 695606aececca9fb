import { describe, expect, it } from 'vitest';
import { briefText, kindCounts, seed } from './analyst-helpers.js';

/**
 * Mirror test: swapping the two sides' names must not change what the analyst finds. The
 * analyst reads structure (who speaks, who is accused, which words are used), not who is who.
 */
function swap(text: string, pairs: ReadonlyArray<[string, string]>): string {
  const counterpart = new Map<string, string>();
  for (const [a, b] of pairs) counterpart.set(a, b).set(b, a);
  const names = [...counterpart.keys()].sort((x, y) => y.length - x.length);
  const pattern = new RegExp(
    names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  return text.replace(pattern, (name) => counterpart.get(name)!);
}

const RAIL: Array<[string, string]> = [
  ['Ministry of Transport', 'Valley Alliance'],
  ['Ministry', 'Alliance'],
  ['Dara Quill', 'Mara Kent'],
];
const RENT: Array<[string, string]> = [
  ['National Landlords Federation', 'Renters Action Network'],
  ['Federation', 'Network'],
  ['Colm Dwyer', 'Priya Anand'],
];

describe('mirror test', () => {
  it.each([
    ['rail-link-op-ed.md', RAIL],
    ['rail-link-ministry-statement.md', RAIL],
    ['rent-cap-press-release.md', RENT],
    ['rent-cap-speech.md', RENT],
  ] as const)('%s: same note kinds and counts with the sides swapped', async (name, pairs) => {
    const text = seed(name);
    const mirrored = swap(text, pairs);
    expect(mirrored).not.toBe(text);
    const params = { maxNotes: 50, analyst: { maxNotesPerKind: 20 } };
    const original = await briefText(text, params);
    const swapped = await briefText(mirrored, params);
    expect(kindCounts(swapped)).toEqual(kindCounts(original));
    expect(Object.keys(kindCounts(original)).length).toBeGreaterThanOrEqual(3);
    const represented = (b: typeof original) =>
      b.stakeholders.filter((s) => s.representedInDocument).length;
    expect(represented(swapped)).toBe(represented(original));
  });

  it('the swap helper really swaps', () => {
    expect(swap('A met B; B met A.', [['A', 'B']])).toBe('B met A; A met B.');
    expect(swap('Valley Alliance and the Ministry', RAIL)).toBe(
      'Ministry of Transport and the Alliance',
    );
  });
});
