import { describe, expect, it } from 'vitest';
import type { Brief } from '../src/briefs/schema.js';
import { quotedSpans, sourcePieces, type SourcePiece } from '../src/web/source-spans.js';

// How the brief page wraps quoted spans of the source so that each citation can light up
// exactly its quote, whether spans are apart, nested, equal or overlapping.

const text = 'Alpha beta gamma. Delta epsilon zeta. Eta theta iota. Kappa lambda mu.';

/** All text under the pieces, in order. */
const flat = (pieces: SourcePiece[]): string =>
  pieces.map((piece) => (typeof piece === 'string' ? piece : flat(piece.children))).join('');

/** The text of span n, joined across its pieces, as the page's highlight shows it. */
function textOf(pieces: SourcePiece[], n: number): string {
  return pieces
    .map((piece) =>
      typeof piece === 'string'
        ? ''
        : piece.n === n
          ? flat(piece.children)
          : textOf(piece.children, n),
    )
    .join('');
}

function firsts(pieces: SourcePiece[], n: number): number {
  return pieces.reduce(
    (count, piece) =>
      typeof piece === 'string'
        ? count
        : count + (piece.n === n && piece.first ? 1 : 0) + firsts(piece.children, n),
    0,
  );
}

const span = (n: number, quote: string, from = 0) => ({
  n,
  start: text.indexOf(quote, from),
  end: text.indexOf(quote, from) + quote.length,
});

describe('sourcePieces', () => {
  it('keeps the whole text and wraps each span exactly, with one anchor piece per span', () => {
    const cases = [
      [span(1, 'beta gamma'), span(2, 'theta iota')], // apart
      [span(1, 'Delta epsilon zeta.'), span(2, 'epsilon')], // nested
      [span(1, 'gamma. Delta epsilon'), span(2, 'epsilon zeta. Eta')], // crossing
      [
        span(1, 'beta gamma. Delta'),
        span(2, 'gamma. Delta epsilon zeta. Eta'),
        span(3, 'zeta. Eta theta'),
        span(4, 'Kappa'),
      ], // chains
      [span(1, 'Alpha'), span(2, 'Alpha beta')], // same start
      [span(1, 'Eta theta iota. Kappa lambda mu.'), span(2, 'mu.')], // same end, at the end of the text
    ];
    for (const spans of cases) {
      const pieces = sourcePieces(text, spans);
      expect(flat(pieces)).toBe(text);
      for (const s of spans) {
        expect(textOf(pieces, s.n), JSON.stringify(s)).toBe(text.slice(s.start, s.end));
        expect(firsts(pieces, s.n)).toBe(1);
      }
    }
  });

  it('leaves text with no spans as one piece of text', () => {
    expect(sourcePieces(text, [])).toEqual([text]);
  });
});

describe('quotedSpans', () => {
  it('numbers distinct verified spans in source order, skipping unverified and out-of-range ones', () => {
    const cite = (quote: string, verified = true, start = text.indexOf(quote)) => ({
      quote,
      start: verified ? start : null,
      end: verified ? start + quote.length : null,
      verified,
    });
    const brief: Brief = {
      headline: '',
      summary: '',
      stakeholders: [],
      keyPoints: [{ text: 'b', citations: [cite('Kappa lambda'), cite('invented', false)] }],
      counterPerspectives: [
        {
          kind: 'loaded_language',
          claim: '',
          perspective: '',
          note: '',
          citations: [cite('Alpha beta'), cite('Kappa lambda'), cite('late', true, 500)],
        },
      ],
    };
    expect(quotedSpans(brief, text.length)).toEqual([
      { n: 1, start: 0, end: 10 },
      { n: 2, start: text.indexOf('Kappa'), end: text.indexOf('Kappa') + 12 },
    ]);
  });
});
