import { describe, expect, it } from 'vitest';
import { briefText, kindCounts, seed } from './analyst-helpers.js';
import { countWords } from '../src/analyst/words.js';

describe('prompt params steer the analyst', () => {
  const text = seed('rail-link-op-ed.md');

  it('summaryWords sets the summary length', async () => {
    const short = await briefText(text, { summaryWords: 40 });
    const long = await briefText(text, { summaryWords: 300 });
    expect(countWords(short.summary)).toBeLessThanOrEqual(48);
    expect(countWords(short.summary)).toBeGreaterThanOrEqual(20);
    expect(countWords(long.summary)).toBeGreaterThan(2 * countWords(short.summary));
    expect(countWords(long.summary)).toBeLessThanOrEqual(360);
  });

  it('maxNotes, maxKeyPoints and noteKinds bound and filter the output', async () => {
    const brief = await briefText(text, {
      maxNotes: 3,
      maxKeyPoints: 2,
      noteKinds: ['loaded_language', 'unverified_figure'],
    });
    expect(brief.counterPerspectives.length).toBe(3);
    expect(brief.keyPoints.length).toBe(2);
    for (const note of brief.counterPerspectives)
      expect(['loaded_language', 'unverified_figure']).toContain(note.kind);
    expect((await briefText(text, { maxNotes: 0 })).counterPerspectives).toEqual([]);
  });

  it('interleaves kinds so the default eight notes show the range of findings', async () => {
    const brief = await briefText(text);
    expect(brief.counterPerspectives.length).toBe(8);
    expect(Object.keys(kindCounts(brief)).length).toBeGreaterThanOrEqual(5);
  });

  it('analyst thresholds change what is reported', async () => {
    const all = { maxNotes: 50, analyst: { maxNotesPerKind: 20 } };
    const base = await briefText(text, all);
    const strong = await briefText(text, {
      ...all,
      analyst: { maxNotesPerKind: 20, loadedMinWeight: 3 },
    });
    expect(kindCounts(strong).loaded_language ?? 0).toBeLessThan(kindCounts(base).loaded_language!);
    const central = await briefText(text, {
      ...all,
      analyst: { maxNotesPerKind: 20, centralMentions: 99 },
    });
    expect(kindCounts(central).missing_perspective ?? 0).toBe(0);
    expect(kindCounts(base).missing_perspective).toBeGreaterThan(0);
    const noRepeat = await briefText(text, {
      ...all,
      analyst: { maxNotesPerKind: 20, repetitionMin: 9 },
    });
    const repeats = (b: typeof base) =>
      b.counterPerspectives.filter((n) => n.claim.startsWith('The document repeats')).length;
    expect(repeats(noRepeat)).toBe(0);
    expect(repeats(base)).toBeGreaterThan(0);
  });

  it('two prompt versions give meaningfully different briefs offline', async () => {
    const v1 = await briefText(text, { summaryWords: 120, maxNotes: 8 });
    const v2 = await briefText(text, {
      summaryWords: 60,
      maxNotes: 4,
      noteKinds: ['disputed_claim', 'missing_perspective', 'unverified_figure'],
      analyst: { positionWeight: 0.6, redundancy: 1 },
    });
    expect(v2.summary).not.toBe(v1.summary);
    expect(v2.counterPerspectives.length).toBeLessThan(v1.counterPerspectives.length);
    expect(new Set(v2.counterPerspectives.map((n) => n.kind)).has('loaded_language')).toBe(false);
  });
});
