import { describe, expect, it } from 'vitest';
import {
  firstOccurrences,
  loosen,
  loosenEach,
  OUTPUT_CAPS,
  QuoteLocator,
  verifyBrief,
} from '../src/pipeline/verify.js';

const source =
  'The Minister said: \u201CWe will cut  waiting lists by 40%\u2014starting now.\u201D\nCritics disagreed.';

describe('QuoteLocator', () => {
  const locator = new QuoteLocator(source);

  it('finds an exact quote with its offsets', () => {
    const citation = locator.locate('Critics disagreed.');
    expect(citation).toMatchObject({
      verified: true,
      start: source.indexOf('Critics'),
      end: source.length,
    });
  });

  it('finds a quote that differs only in whitespace, quote marks, dashes and case', () => {
    const citation = locator.locate('"we will cut waiting lists by 40%-starting now."');
    expect(citation.verified).toBe(true);
    expect(source.slice(citation.start!, citation.end!)).toBe(
      '\u201CWe will cut  waiting lists by 40%\u2014starting now.\u201D',
    );
  });

  it('never verifies a quote that is not in the source', () => {
    expect(locator.locate('We will cut waiting lists by 50%')).toEqual({
      quote: 'We will cut waiting lists by 50%',
      start: null,
      end: null,
      verified: false,
    });
  });

  it('does not verify quotes too short to prove anything', () => {
    expect(locator.locate('the').verified).toBe(false);
  });
});

describe('verifyBrief', () => {
  it('caps oversized model output and never verifies a cut quote it cannot find', () => {
    const huge = 'x'.repeat(OUTPUT_CAPS.summary + 100);
    const brief = verifyBrief(
      {
        headline: 'h'.repeat(1_000),
        summary: huge,
        keyPoints: Array.from({ length: 80 }, () => ({
          text: 't',
          citations: [{ quote: 'Critics disagreed.' }],
        })),
        stakeholders: [],
        counterPerspectives: [],
      },
      source,
    );
    expect(brief.headline.length).toBe(OUTPUT_CAPS.shortText);
    expect(brief.summary.length).toBe(OUTPUT_CAPS.summary);
    expect(brief.keyPoints).toHaveLength(OUTPUT_CAPS.items);
    expect(brief.keyPoints[0]!.citations[0]!.verified).toBe(true);
  });
});

describe('the loose view of a source', () => {
  it('is the same in one pass over char codes as character by character', () => {
    const samples = [
      '  Hello,\u00a0World!\n\n\t“Quoted” ‘single’ — dash – en\u2212minus  ',
      'ÀÉÎ õü Straße ΣΊΣΥΦΟΣ Ünïcödé\u2028line\u3000ideographic\ufeffbom',
      `${'word '.repeat(50)}\r\n${'ABC-def '.repeat(30)}`,
      '',
      '   ',
    ];
    for (const sample of samples) {
      const fast = loosen(sample);
      const each = loosenEach(sample);
      expect(fast.text).toBe(each.text);
      expect(Array.from(fast.offsets)).toEqual(each.offsets);
    }
    // A letter whose lower case is longer takes the character-by-character path.
    expect(loosen('İstanbul  Quote').text).toBe(loosenEach('İstanbul  Quote').text);
  });

  it('locates a loose quote in a long text quickly', () => {
    const text = `${'The council met on Tuesday and agreed the budget. '.repeat(40_000)}The “FINAL” figure was 42.`;
    const started = performance.now();
    const citation = new QuoteLocator(text).locate('the "final" figure was 42');
    expect(citation.verified).toBe(true);
    expect(text.slice(citation.start!, citation.end!)).toBe('The “FINAL” figure was 42');
    expect(performance.now() - started).toBeLessThan(1_000); // 2 MB; character by character took ~0.6 s
  });
});

describe('locating all of a brief’s quotes together', () => {
  /** Deterministic pseudo-random numbers in [0, 1). */
  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x80000000;
    };
  }

  it('finds each needle where indexOf finds it, one needle or a hundred', () => {
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      // Small alphabets: many partial matches and repeated windows.
      const alphabet = 'ab c“'.slice(0, 1 + Math.floor(next() * 5));
      const text = Array.from(
        { length: Math.floor(next() * 600) },
        () => alphabet[Math.floor(next() * alphabet.length)],
      ).join('');
      const needles = Array.from({ length: 1 + Math.floor(next() * 100) }, () => {
        const at = Math.floor(next() * text.length);
        const needle = text.slice(at, at + 1 + Math.floor(next() * 40));
        return next() < 0.4 ? `${needle}z` : needle;
      });
      expect(firstOccurrences(text, needles)).toEqual(needles.map((n) => text.indexOf(n)));
    }
  });

  it('gives every quote the citation that locating it alone gives', () => {
    const text = `${'The council met on Tuesday and agreed the budget. '.repeat(2_000)}${source} ${'Filler text follows here. '.repeat(2_000)}`;
    const quotes = [
      'Critics disagreed.',
      '"we will cut waiting lists by 40%-starting now."',
      'the council met on tuesday',
      '  The council met on Tuesday and agreed the budget.  ',
      'We will cut waiting lists by 50%',
      'the',
      '',
      'Filler text follows here.',
      'FILLER   TEXT   follows',
    ];
    // Made-up quotes first: once searching them one by one has read the text 16 times over, the
    // rest, real ones among them, are found in a single pass.
    const many = [
      ...Array.from({ length: 60 }, (_, i) => `${quotes[i % quotes.length]} made up ${i}`),
      ...quotes,
      ...quotes,
    ];
    for (const list of [quotes, many]) {
      const together = new QuoteLocator(text).locateAll(list);
      expect(together).toEqual(list.map((quote) => new QuoteLocator(text).locate(quote)));
      expect(together.filter((c) => c.verified).length).toBeGreaterThan(quotes.length / 2);
    }
  });

  it('reads a long text once for hundreds of quotes, not once a quote', () => {
    const text = 'The council met on Tuesday and agreed the budget. '.repeat(40_000); // 2 MB
    const quotes = Array.from({ length: 400 }, (_, i) => `The council never said this, ${i}.`);
    const time = (work: () => void) => {
      const started = performance.now();
      work();
      return performance.now() - started;
    };
    const locator = new QuoteLocator(text);
    locator.locate('warm up the loose view of the text');
    const oneByOne = time(() => {
      for (const quote of quotes) locator.locate(quote);
    });
    const together = time(() => locator.locateAll(quotes));
    // Measured side by side: together is about a tenth; generous for a busy machine.
    expect(together).toBeLessThan(oneByOne / 2);
  });
});
