import { describe, expect, it } from 'vitest';
import { NOTE_KINDS } from '../src/briefs/schema.js';
import { loadedRate } from '../src/analyst/lexicon.js';
import { QuoteLocator } from '../src/pipeline/verify.js';
import { allQuotes, briefText, kindCounts, provider, seed, seedNames } from './analyst-helpers.js';

const ALL = { maxNotes: 50, analyst: { maxNotesPerKind: 20 } };
const JUDGEMENT = new Set([
  'loaded_language',
  'rhetorical_technique',
  'disputed_claim',
  'missing_context',
]);

describe('local analyst on the seeds', () => {
  it('has at least six seeds', () => {
    expect(seedNames().length).toBeGreaterThanOrEqual(6);
  });

  for (const name of seedNames()) {
    it(`${name}: every quote is verbatim and verifies at its offsets`, async () => {
      const text = seed(name);
      const brief = await briefText(text, ALL);
      const locator = new QuoteLocator(text);
      const quotes = allQuotes(brief);
      expect(quotes.length).toBeGreaterThan(0);
      for (const quote of quotes) {
        const at = text.indexOf(quote);
        expect(at, quote).toBeGreaterThanOrEqual(0);
        expect(text.slice(at, at + quote.length)).toBe(quote);
        const citation = locator.locate(quote);
        expect(citation.verified, quote).toBe(true);
        expect(citation.start).toBe(at);
        expect(quote.length).toBeLessThanOrEqual(300);
      }
    });

    it(`${name}: a complete brief with a short headline and an attributed summary`, async () => {
      const brief = await briefText(seed(name));
      expect(brief.headline.split(/\s+/).length).toBeLessThanOrEqual(20);
      expect(brief.summary).toMatch(
        /^(The document|This [a-z -]+|According to (the document|this))\b/,
      );
      expect(brief.keyPoints.length).toBeGreaterThan(0);
      expect(brief.stakeholders.length).toBeGreaterThan(0);
    });
  }

  it('finds every note kind in the op-ed built to contain them all', async () => {
    const kinds = Object.keys(kindCounts(await briefText(seed('rail-link-op-ed.md'), ALL)));
    expect(kinds.sort()).toEqual([...NOTE_KINDS].sort());
  });

  it.each([
    [
      'rail-link-ministry-statement.md',
      ['unverified_figure', 'disputed_claim', 'rhetorical_technique', 'loaded_language'],
    ],
    [
      // Its one loaded word ("draconian") is inside the chair's quotation: his, not the release's.
      'rent-cap-press-release.md',
      ['unverified_figure', 'disputed_claim', 'rhetorical_technique', 'missing_perspective'],
    ],
    [
      'rent-cap-speech.md',
      [
        'rhetorical_technique',
        'disputed_claim',
        'loaded_language',
        'missing_context',
        'unverified_figure',
      ],
    ],
  ])('%s has notes of the kinds it was written with', async (name, expected) => {
    const kinds = Object.keys(kindCounts(await briefText(seed(name), ALL)));
    for (const kind of expected) expect(kinds).toContain(kind);
  });

  it('names the repeated slogan and the techniques after the SemEval taxonomy', async () => {
    const brief = await briefText(seed('rail-link-op-ed.md'), ALL);
    const claims = brief.counterPerspectives
      .filter((n) => n.kind === 'rhetorical_technique')
      .map((n) => `${n.claim} ${n.note}`);
    expect(claims.some((c) => /repeats "Stop the Line" [3-9] times/.test(c))).toBe(true);
    for (const name of [
      'Flag-Waving',
      'Appeal_to_Authority',
      'Black-and-White_Fallacy',
      'Exaggeration/Minimisation',
    ]) {
      expect(
        claims.some((c) => c.includes(name)),
        name,
      ).toBe(true);
    }
  });

  // Neutral, well-sourced texts: both sides quoted, figures from audited accounts, a
  // statistics office or named speakers. A careful reader would sign at most one note here.
  it.each(['library-hours-council-report.md', 'bus-fares-news-report.md', 'rent-cap-briefing.md'])(
    '%s: a neutral, well-sourced text gets at most one judgement note',
    async (name) => {
      const brief = await briefText(seed(name), ALL);
      const judgement = brief.counterPerspectives.filter((n) => JUDGEMENT.has(n.kind));
      expect(judgement.map((n) => n.claim)).toHaveLength(Math.min(judgement.length, 1));
      expect(brief.counterPerspectives.length).toBeLessThanOrEqual(2);
    },
  );

  it('prefers summary sentences that do not lean on a pronoun from an unchosen sentence', async () => {
    const text = [
      'The council approved a new bus route on Monday.',
      'He said the route would open in March.',
      'The route links the hospital with the station.',
      'They expect about 2,000 passengers a day.',
      'The council will pay for the first two years from its transport reserve.',
      'It will review the route after a year.',
      'The bus operator will run ten buses an hour at peak times.',
    ].join(' ');
    const brief = await briefText(text, { summaryWords: 60 });
    expect(brief.summary).not.toMatch(/that (?:he|they|it) /);
  });

  // Written as a one-sided op-ed would be, not from the cue lists; a careful reader's list of
  // what it does is in seeds/README.md. Each finding below is one of those.
  it('finds what a careful reader flags in a one-sided op-ed about a border dispute', async () => {
    const brief = await briefText(seed('strait-dispute-op-ed.md'), ALL);
    const notes = brief.counterPerspectives.map((n) => `${n.kind}: ${n.claim}`);
    const expected = [
      /^missing_perspective: The document accuses Ostmark/,
      /^disputed_claim: The document accuses Ostmark \("lied"\)/,
      /^unverified_figure: .*on the word of the author/,
      /^unverified_figure: .*"60" on the word of Kalvari Fishermen's Union/,
      /^rhetorical_technique: .*only ones available \("Either we"/,
      /^rhetorical_technique: .*unnamed or general authority.*\("every serious historian"/,
      /^rhetorical_technique: The document repeats "The strait is ours"/,
      /^missing_context: .*sweeping generalisation \("Nobody who"\)/,
      /^loaded_language: .*"land grab"/,
      /^loaded_language: .*"plunder"/,
    ];
    for (const pattern of expected)
      expect(
        notes.some((n) => pattern.test(n)),
        `${pattern}`,
      ).toBe(true);
    expect(brief.headline).toBe(
      'Op-ed by Teodor Renk: “The Drava Strait is ours, and Ostmark knows it”',
    );
    const ostmark = brief.stakeholders.find((s) => s.name === 'Ostmark');
    expect(ostmark?.representedInDocument).toBe(false);
  });

  it('writes a quotation as the document quoting it, in plain English', async () => {
    const brief = await briefText(
      '“We will not sell our homes,” said Colm Dwyer on Monday. The chair, Amara Osei, said: ' +
        '“The cap is overdue.” The council will vote on the cap in June.',
      { summaryWords: 80 },
    );
    expect(brief.summary).toContain('quotes: “We will not sell our homes,” said Colm Dwyer');
    expect(brief.summary).toContain(
      'reports that the chair, Amara Osei, said: “The cap is overdue.”',
    );
    expect(brief.summary).not.toMatch(/also reports,|According to the document/);
  });

  it('reads a contrast or a relative clause as no sweeping claim and no report', async () => {
    const brief = await briefText(
      'Respondents were not a random sample, so the figures describe the people who replied ' +
        'rather than all residents.',
      ALL,
    );
    expect(brief.counterPerspectives).toEqual([]);
  });

  it("notes the README quick-start example's one-party figure and unheard critics", async () => {
    const brief = await briefText(
      'The Ministry said the reform will cut waiting lists by 40%. Critics were not consulted.',
    );
    expect(brief.counterPerspectives.map((n) => n.claim)).toEqual([
      'The document gives the figure "40%" on the word of the Ministry.',
      'The document says critics were not consulted.',
    ]);
  });

  it('flags an accusation whose target never answers, but not one whose target speaks', async () => {
    const release = await briefText(seed('rent-cap-press-release.md'), ALL);
    const disputed = release.counterPerspectives.filter((n) => n.kind === 'disputed_claim');
    expect(disputed.map((n) => n.perspective).join(' ')).toContain('Priya Anand');
    const briefing = await briefText(seed('rent-cap-briefing.md'), ALL);
    expect(briefing.counterPerspectives.filter((n) => n.kind === 'disputed_claim')).toEqual([]);
  });

  it('marks actors quoted in the document as represented and others not', async () => {
    const brief = await briefText(seed('rent-cap-briefing.md'));
    const byName = new Map(brief.stakeholders.map((s) => [s.name, s.representedInDocument]));
    expect(byName.get('National Landlords Federation')).toBe(true);
    expect(byName.get('Tamsin Reyes')).toBe(true);
    const speech = await briefText(seed('rent-cap-speech.md'));
    expect(
      speech.stakeholders.find((s) => s.name === 'National Landlords Federation')
        ?.representedInDocument,
    ).toBe(false);
  });

  // Quotations keep their words (a speaker's "draconian" is quoted, not re-worded): the rate
  // compared is the author's own wording, outside quotation marks.
  const unquoted = (text: string) => text.replace(/"[^"]*"|“[^”]*”/g, ' ');
  for (const name of ['rail-link-op-ed.md', 'rent-cap-speech.md']) {
    it(`${name}: the summary's loaded-language rate is at most a quarter of the source's`, async () => {
      const text = seed(name);
      const brief = await briefText(text, { summaryWords: 250 });
      const source = loadedRate(unquoted(text));
      expect(source).toBeGreaterThan(0);
      expect(loadedRate(unquoted(brief.summary))).toBeLessThanOrEqual(source / 4);
    });
  }

  it('quotes a speaker in the summary word for word', async () => {
    const brief = await briefText(seed('rent-cap-press-release.md'), { summaryWords: 250 });
    const quotes = brief.summary.match(/"[^"]*"/g) ?? [];
    expect(quotes.length).toBeGreaterThan(0);
    for (const quote of quotes) expect(seed('rent-cap-press-release.md')).toContain(quote);
  });

  it('keeps numbers exact in the summary', async () => {
    const text = seed('rail-link-ministry-statement.md');
    const brief = await briefText(text, { summaryWords: 300 });
    const numbers = brief.summary.match(/\d[\d,.]*\d|\d/g) ?? [];
    expect(numbers.length).toBeGreaterThan(2);
    for (const number of numbers) expect(text).toContain(number);
  });

  it('is deterministic', async () => {
    const text = seed('rent-cap-speech.md');
    expect(await briefText(text)).toEqual(await briefText(text));
  });

  it('reports usage and the model', async () => {
    const text = seed('rent-cap-press-release.md');
    const result = await provider.generate(
      {
        stage: 'map',
        messages: { system: '', user: '' },
        schema: { name: 'brief', zod: (await import('../src/briefs/schema.js')).ModelBrief },
        params: (await import('../src/prompts/prompt.js')).PromptParams.parse({}),
        input: {
          stage: 'map',
          title: null,
          chunk: { index: 0, text, start: 0, end: text.length },
          chunkCount: 1,
        },
      },
      'analyst-3',
    );
    expect(result.model).toBe('analyst-3');
    expect(result.usage.requests).toBe(1);
    expect(result.usage.promptTokens).toBe(Math.ceil(text.length / 4));
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(provider.name).toBe('local');
  });
});
