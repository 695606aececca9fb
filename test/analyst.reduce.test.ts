import { describe, expect, it } from 'vitest';
import type { ModelBrief } from '../src/briefs/schema.js';
import { splitSummary } from '../src/analyst/merge.js';
import { countWords } from '../src/analyst/words.js';
import { allQuotes, run, seed, seedNames } from './analyst-helpers.js';

/** Paragraph-boundary chunks of about `size` characters, with their offsets. */
function chunks(text: string, size: number) {
  const out: Array<{ index: number; text: string; start: number; end: number }> = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + size);
    const cut = text.lastIndexOf('\n\n', end);
    if (end < text.length && cut > start) end = cut;
    out.push({ index: out.length, text: text.slice(start, end), start, end });
    start = end;
  }
  return out;
}

async function mapReduce(
  text: string,
  size: number,
  params = {},
): Promise<{ partials: ModelBrief[]; brief: ModelBrief }> {
  const parts = chunks(text, size);
  const partials: ModelBrief[] = [];
  for (const chunk of parts)
    partials.push(
      await run({ stage: 'map', title: null, chunk, chunkCount: parts.length }, params),
    );
  const brief = await run(
    { stage: 'reduce', title: 'A merged brief', partials, final: true },
    params,
  );
  return { partials, brief };
}

describe('reduce stage of the local analyst', () => {
  const text = seedNames().map(seed).join('\n\n');

  it('merges partials into one brief whose quotes all come from the document', async () => {
    const { partials, brief } = await mapReduce(text, 4_000, { maxNotes: 10 });
    expect(partials.length).toBeGreaterThan(3);
    for (const quote of allQuotes(brief)) expect(text.includes(quote), quote).toBe(true);
    expect(brief.counterPerspectives.length).toBeLessThanOrEqual(10);
    expect(brief.keyPoints.length).toBeLessThanOrEqual(6);
    expect(brief.headline).toBe('A merged brief');
    expect(brief.summary).toMatch(/^(The document|This [a-z -]+|According to)\b/);
  });

  it("honours summaryWords and keeps the partials' order", async () => {
    const { partials, brief } = await mapReduce(text, 4_000, { summaryWords: 80 });
    expect(countWords(brief.summary)).toBeLessThanOrEqual(100);
    const sources = splitSummary(brief.summary).map((sentence) => {
      // A last sentence cut to the word budget ends in an ellipsis the partial does not have.
      const body = sentence
        .replace(/^(The document|It) \w+ that /, '')
        .replace(/…$/, '')
        .slice(0, 40);
      return partials.findIndex((p) => p.summary.includes(body));
    });
    expect(sources.every((index) => index >= 0)).toBe(true);
    expect([...sources].sort((a, b) => a - b)).toEqual(sources);
  });

  it('drops a missing-perspective note when another partial gives that actor a voice', async () => {
    const unheard: ModelBrief = {
      headline: 'a',
      summary: 'The document states that x.',
      keyPoints: [],
      stakeholders: [
        { name: 'Ministry of Water', role: 'government body', representedInDocument: false },
      ],
      counterPerspectives: [
        {
          kind: 'missing_perspective',
          claim: 'c',
          perspective: 'Ministry of Water, in their own words',
          note: 'n',
          citations: [{ quote: 'the Ministry of Water plans' }],
        },
      ],
    };
    const heard: ModelBrief = {
      ...unheard,
      counterPerspectives: [],
      stakeholders: [{ ...unheard.stakeholders[0]!, representedInDocument: true }],
    };
    const merged = await run({
      stage: 'reduce',
      title: null,
      partials: [unheard, heard],
      final: true,
    });
    expect(merged.stakeholders).toEqual([
      { name: 'Ministry of Water', role: 'government body', representedInDocument: true },
    ]);
    expect(merged.counterPerspectives).toEqual([]);
    const alone = await run({
      stage: 'reduce',
      title: null,
      partials: [unheard, unheard],
      final: true,
    });
    expect(alone.counterPerspectives.length).toBe(1);
  });

  it('is deterministic', async () => {
    expect((await mapReduce(text, 6_000)).brief).toEqual((await mapReduce(text, 6_000)).brief);
  });
});
