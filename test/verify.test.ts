import { describe, expect, it } from 'vitest';
import { OUTPUT_CAPS, QuoteLocator, verifyBrief } from '../src/pipeline/verify.js';

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
