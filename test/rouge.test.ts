import { describe, expect, it } from 'vitest';
import { firstWords, lcsLength, rouge, tokenize } from '../src/compare/rouge.js';

describe('ROUGE', () => {
  it('tokenizes to lower-case runs of letters or digits', () => {
    expect(tokenize('The U.S. Act, 2019: “Fair-Rent” rules!')).toEqual([
      'the',
      'u',
      's',
      'act',
      '2019',
      'fair',
      'rent',
      'rules',
    ]);
  });

  it('matches hand-computed ROUGE-1/2/L', () => {
    // candidate: the cat sat on the mat (6) · reference: the cat lay on the mat today (7)
    // R-1 overlap: the×2, cat, on, mat = 5 → P 5/6, R 5/7
    // cand {the cat, cat sat, sat on, on the, the mat} ∩ ref {the cat, cat lay, lay on, on the, the mat, mat today} = 3 → P 3/5, R 3/6
    // LCS: the cat on the mat = 5 → P 5/6, R 5/7
    const s = rouge('The cat sat on the mat.', 'the cat lay on the mat today');
    expect(s.rouge1.precision).toBeCloseTo(5 / 6);
    expect(s.rouge1.recall).toBeCloseTo(5 / 7);
    expect(s.rouge1.f1).toBeCloseTo((2 * (5 / 6) * (5 / 7)) / (5 / 6 + 5 / 7));
    expect(s.rouge2.precision).toBeCloseTo(3 / 5);
    expect(s.rouge2.recall).toBeCloseTo(3 / 6);
    expect(s.rougeL.precision).toBeCloseTo(5 / 6);
    expect(s.rougeL.recall).toBeCloseTo(5 / 7);
  });

  it('clips repeated n-grams to their count in the reference', () => {
    const s = rouge('the the the the', 'the cat');
    expect(s.rouge1.precision).toBeCloseTo(1 / 4);
    expect(s.rouge1.recall).toBeCloseTo(1 / 2);
  });

  it('uses LCS over the whole summary, not contiguous matches', () => {
    expect(lcsLength(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y', 'd'])).toBe(3);
    expect(rouge('d c b a', 'a b c d').rougeL.f1).toBeCloseTo(0.25);
  });

  it('does not stem or drop stop words', () => {
    expect(rouge('tenants rented', 'tenant rents').rouge1.f1).toBe(0);
    expect(rouge('of the', 'of the').rouge1.f1).toBe(1);
  });

  it('scores empty text as zero', () => {
    expect(rouge('', 'a b').rouge1.f1).toBe(0);
    expect(rouge('a b', '').rougeL.f1).toBe(0);
  });

  it('cuts text at whitespace words', () => {
    expect(firstWords(' a  b\nc d ', 3)).toBe('a b c');
  });
});
