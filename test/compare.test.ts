import { describe, expect, it } from 'vitest';
import type { Brief, Citation } from '../src/briefs/schema.js';
import type { BriefView } from '../src/briefs/view.js';
import { estimateCost, priceTable } from '../src/llm/prices.js';
import { compareBriefs } from '../src/compare/compare.js';
import { spanOverlap } from '../src/compare/match.js';
import { briefMetrics, coverageSegments } from '../src/compare/metrics.js';
import { QuoteLocator } from '../src/pipeline/verify.js';

const source = [
  'The Ministry will build 40,000 homes by 2030, according to its own forecast.',
  'Tenant groups say rents have doubled since 2015.',
  'This disastrous policy has failed every family in the country.',
  'The Treasury has not published a cost estimate for the programme.',
].join('\n\n');

const locator = new QuoteLocator(source);
const cite = (quote: string): Citation => locator.locate(quote);

function view(
  id: string,
  brief: Brief,
  usage = { calls: 1, cachedCalls: 0, requests: 1, promptTokens: 100, completionTokens: 50 },
): BriefView {
  return {
    id,
    status: 'succeeded',
    cached: false,
    document: { id: 'd'.repeat(64), title: 'Housing' },
    prompt: {
      ref: id === 'a' ? 'brief@1' : 'brief@2',
      name: 'brief',
      version: id === 'a' ? 1 : 2,
      sha256: id.repeat(64),
    },
    provider: 'local',
    model: 'analyst-3',
    answeredBy: null,
    params: {},
    chunks: 1,
    usage: { ...usage, cost: estimateCost(priceTable(), { provider: 'local', model: '' }, usage) },
    timings: { chunkMs: 1, mapMs: 10, reduceMs: 0, verifyMs: 1, totalMs: 12 },
    brief,
    error: null,
    createdAt: new Date(0).toISOString(),
    finishedAt: new Date(0).toISOString(),
  };
}

const homes = {
  text: 'The Ministry plans 40,000 homes by 2030.',
  citations: [cite('The Ministry will build 40,000 homes by 2030')],
};
const rents = {
  text: 'Tenant groups report that rents doubled since 2015.',
  citations: [cite('Tenant groups say rents have doubled since 2015.')],
};
const costs = {
  text: 'No cost estimate has been published by the Treasury.',
  citations: [cite('The Treasury has not published a cost estimate')],
};
const failure = {
  text: 'The document calls the policy a failure for families.',
  citations: [cite('This disastrous policy has failed every family')],
};

const loaded = {
  kind: 'loaded_language' as const,
  claim: 'The policy is disastrous.',
  perspective: 'Supporters of the policy.',
  note: 'The word "disastrous" judges rather than describes.',
  citations: [cite('This disastrous policy')],
};

const a = view('a', {
  headline: 'Ministry plans homes',
  summary: 'The document states that the Ministry will build 40,000 homes by 2030.',
  keyPoints: [homes, rents, costs],
  stakeholders: [],
  counterPerspectives: [
    loaded,
    {
      kind: 'missing_perspective',
      claim: 'Tenants are affected.',
      perspective: 'Tenant groups',
      note: 'Tenant groups are described but not quoted.',
      citations: [cite('Tenant groups say rents')],
    },
  ],
});

const b = view('b', {
  headline: 'Ministry forecasts homes',
  summary: 'The document states that the Ministry forecasts 40,000 homes by 2030.',
  keyPoints: [
    homes,
    { ...rents, text: 'Rents have doubled since 2015, tenant groups say.' },
    failure,
  ],
  stakeholders: [],
  counterPerspectives: [
    loaded,
    {
      kind: 'unverified_figure',
      claim: '40,000 homes by 2030.',
      perspective: 'An independent forecast.',
      note: 'The figure rests on the Ministry’s own forecast.',
      citations: [cite('according to its own forecast')],
    },
  ],
});

describe('compareBriefs', () => {
  const comparison = compareBriefs(a, b, source);

  it('marks key points kept, changed, added and dropped', () => {
    const byStatus = (status: string) => comparison.keyPoints.filter((m) => m.status === status);
    expect(byStatus('kept').map((m) => m.a!.text)).toEqual([homes.text]);
    expect(byStatus('changed').map((m) => [m.a!.text, m.b!.text])).toEqual([
      [rents.text, 'Rents have doubled since 2015, tenant groups say.'],
    ]);
    expect(byStatus('dropped').map((m) => m.a!.text)).toEqual([costs.text]);
    expect(byStatus('added').map((m) => m.b!.text)).toEqual([failure.text]);
    expect(comparison.counts.keyPoints).toEqual({ kept: 1, changed: 1, added: 1, dropped: 1 });
  });

  it('matches notes within their kind', () => {
    expect(Object.keys(comparison.notes).sort()).toEqual([
      'loaded_language',
      'missing_perspective',
      'unverified_figure',
    ]);
    expect(comparison.notes.loaded_language!.map((m) => m.status)).toEqual(['kept']);
    expect(comparison.notes.missing_perspective!.map((m) => m.status)).toEqual(['dropped']);
    expect(comparison.notes.unverified_figure!.map((m) => m.status)).toEqual(['added']);
  });

  it('diffs the summaries word by word', () => {
    const removed = comparison.summaryDiff
      .filter((p) => p.type === 'removed')
      .map((p) => p.text.trim());
    const added = comparison.summaryDiff
      .filter((p) => p.type === 'added')
      .map((p) => p.text.trim());
    expect(removed).toEqual(['will build']);
    expect(added).toEqual(['forecasts']);
    expect(
      comparison.summaryDiff
        .filter((p) => p.type !== 'added')
        .map((p) => p.text)
        .join(''),
    ).toBe(a.brief!.summary);
  });

  it('scores ROUGE between the summaries', () => {
    // a: the document states that the ministry will build 40 000 homes by 2030 (13 tokens)
    // b: the document states that the ministry forecasts 40 000 homes by 2030 (12 tokens)
    // b is scored against a: 11 shared unigrams → P = 11/12, R = 11/13.
    const { rouge1, rouge2 } = comparison.rouge;
    expect(rouge1.precision).toBeCloseTo(11 / 12, 6);
    expect(rouge1.recall).toBeCloseTo(11 / 13, 6);
    // bigrams: b has 11, a has 12; shared: 5 before the edit + 4 after ("40 000", "000 homes", "homes by", "by 2030").
    expect(rouge2.precision).toBeCloseTo(9 / 11, 6);
    expect(rouge2.recall).toBeCloseTo(9 / 12, 6);
  });
});

describe('briefMetrics', () => {
  it('computes the metrics of a hand-checked brief', () => {
    const invented = {
      quote: 'The Ministry promised free homes',
      start: null,
      end: null,
      verified: false,
    };
    const brief: Brief = {
      headline: 'h',
      summary: 'The document says a disastrous plan will build homes.', // 9 words, one loaded ("disastrous")
      keyPoints: [
        {
          text: 'x',
          citations: [cite('Tenant groups say rents have doubled since 2015.'), invented],
        },
      ],
      stakeholders: [],
      counterPerspectives: [loaded],
    };
    const metrics = briefMetrics(
      view('a', brief, {
        calls: 3,
        cachedCalls: 1,
        requests: 2,
        promptTokens: 300,
        completionTokens: 120,
      }),
      source,
    );
    const sourceWords = source.toLowerCase().match(/[\p{L}\p{N}]+/gu)!.length;
    expect(metrics.words).toBe(9);
    expect(metrics.compressionRatio).toBeCloseTo(sourceWords / 9, 2);
    expect(metrics.citations).toBe(3);
    expect(metrics.citationsVerified).toBeCloseTo(2 / 3, 4);
    expect(metrics.coverage).toBe(1); // a source this short is one segment, and it is cited
    expect(metrics.loadedRate).toBeCloseTo(1 / 9, 4);
    expect(metrics.notes).toBe(1);
    expect(metrics.notesByKind.loaded_language).toBe(1);
    expect(metrics.notesByKind.disputed_claim).toBe(0);
    expect(metrics).toMatchObject({ calls: 3, cachedCalls: 1, tokens: 420, latencyMs: 12 });
  });

  it('measures coverage as the share of source segments cited', () => {
    const long = Array.from(
      { length: 60 },
      (_, i) =>
        `Paragraph ${i} explains item ${i} of the programme in some detail, with figures for year ${2000 + i}.`,
    ).join('\n\n');
    const segments = coverageSegments(long);
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const quote = 'Paragraph 0 explains item 0 of the programme';
    const brief: Brief = {
      headline: '',
      summary: '',
      keyPoints: [{ text: 't', citations: [new QuoteLocator(long).locate(quote)] }],
      stakeholders: [],
      counterPerspectives: [],
    };
    expect(briefMetrics(view('a', brief), long).coverage).toBeCloseTo(1 / segments.length, 4);
  });
});

describe('spanOverlap', () => {
  it('is the Jaccard overlap of character spans', () => {
    expect(spanOverlap([[0, 10]], [[5, 15]])).toBeCloseTo(5 / 15, 6);
    expect(spanOverlap([[0, 10]], [[20, 30]])).toBe(0);
    expect(
      spanOverlap(
        [
          [0, 10],
          [5, 12],
        ],
        [[0, 12]],
      ),
    ).toBe(1);
  });
});
