import { describe, expect, it } from 'vitest';
import {
  CUES,
  LOADED,
  findLoaded,
  loadedRate,
  matchers,
  neutralize,
  rewordLoaded,
} from '../src/analyst/lexicon.js';
import { PhraseMatcher, wordsOf } from '../src/analyst/words.js';

describe('loaded-language lexicon (data/loaded-language.json)', () => {
  it('has unique, lower-case terms with weights 1–3', () => {
    const terms = LOADED.map((e) => e.term);
    expect(new Set(terms).size).toBe(terms.length);
    for (const entry of LOADED) {
      expect(entry.term).toBe(entry.term.toLowerCase());
      expect([1, 2, 3]).toContain(entry.weight);
    }
    expect(LOADED.length).toBeGreaterThan(100);
  });

  it('offers neutral alternatives that are not themselves loaded', () => {
    for (const entry of LOADED) {
      expect(findLoaded(wordsOf(entry.neutral)), `${entry.term} → ${entry.neutral}`).toEqual([]);
    }
  });

  it('replaces loaded words, keeps case, drops empty alternatives cleanly and fixes articles', () => {
    expect(neutralize('The draconian cap is a disaster.')).toBe('The strict cap is a disaster.');
    expect(neutralize('Reckless spending continues.')).toBe('Spending continues.');
    expect(neutralize('an outrageous budget')).toBe('a budget');
    expect(neutralize('a huge, shameful plan')).toBe('a large plan');
    expect(neutralize('They slashed it.')).toBe('They cut it.');
    expect(neutralize('A plain sentence with 4,000 homes.')).toBe(
      'A plain sentence with 4,000 homes.',
    );
  });

  it('never re-words a name, a quotation, a noun or a qualifier it cannot drop cleanly', () => {
    const unchanged = [
      'the Robert T. Stafford Disaster Relief and Emergency Assistance Act',
      'one of the most reckless transfers of wealth',
      'It was shameful.',
      'the profiteers who are squeezing them',
      'He called it "a draconian cap" yesterday.',
    ];
    for (const text of unchanged) expect(neutralize(text)).toBe(text);
    expect(rewordLoaded('the profiteers and the reckless plan')).toEqual({
      text: 'the profiteers and the plan',
      kept: 1,
    });
    expect(rewordLoaded('a reckless plan').kept).toBe(0);
  });

  it('matches multi-word and hyphenated entries as one', () => {
    const hits = findLoaded(wordsOf('A so-called tax grab and a vanity project.'));
    expect(hits.map((h) => h.data.term)).toEqual(['so-called', 'tax grab', 'vanity project']);
  });

  it('respects the minimum weight', () => {
    const words = wordsOf('A huge and greedy plan');
    expect(findLoaded(words, 1).length).toBe(2);
    expect(findLoaded(words, 3).map((h) => h.data.term)).toEqual(['greedy']);
  });

  it('computes the loaded-language rate per word', () => {
    expect(loadedRate('a reckless plan that is disastrous')).toBeCloseTo(2 / 6);
    expect(loadedRate('')).toBe(0);
  });
});

describe('cue lists (data/cues.json)', () => {
  it('covers the required persuasion techniques', () => {
    expect(Object.keys(CUES.techniques)).toEqual(
      expect.arrayContaining([
        'Appeal_to_Authority',
        'Flag-Waving',
        'Black-and-White_Fallacy',
        'Exaggeration',
        'Minimisation',
      ]),
    );
  });

  it('finds hedges, speech verbs and accusations as phrases', () => {
    expect(
      matchers.hedge.find(wordsOf('Some 300 homes were reportedly lost')).map((m) => m.phrase),
    ).toEqual(['reportedly']);
    expect(matchers.hedgeBeforeNumber.find(wordsOf('as many as 300')).map((m) => m.phrase)).toEqual(
      ['as many as'],
    );
    expect(matchers.speech.find(wordsOf('the minister said')).length).toBe(1);
    expect(
      matchers.accuseBefore.find(wordsOf('the council has failed to act')).map((m) => m.phrase),
    ).toEqual(['has failed']);
  });

  it('prefers the longest phrase and supports * wildcards', () => {
    const matcher = new PhraseMatcher<number>([
      ['our nation', 1],
      ['our great nation', 2],
      ['our * values', 3],
    ]);
    expect(
      matcher.find(wordsOf('for our great nation and our shared values')).map((m) => m.data),
    ).toEqual([2, 3]);
  });
});

describe('words', () => {
  it('keeps numbers, hyphenated words and contractions whole, with offsets', () => {
    const text = 'Some 3,000 so-called homes weren’t 4.5% cheaper.';
    const words = wordsOf(text);
    expect(words.map((w) => w.lower)).toEqual([
      'some',
      '3,000',
      'so-called',
      'homes',
      "weren't",
      '4.5',
      'cheaper',
    ]);
    for (const w of words)
      expect(text.slice(w.start, w.end).toLowerCase().replace('’', "'")).toBe(w.lower);
  });
});

describe('whose words a loaded term is (voice.ts)', () => {
  const loadedTerms = async (text: string) => {
    const { briefText } = await import('./analyst-helpers.js');
    const brief = await briefText(text, { noteKinds: ['loaded_language'] });
    return brief.counterPerspectives.map((n) => /"([^"]+)"/.exec(n.claim)?.[1]);
  };

  it("flags the reporting clause's wording, not what it reports", async () => {
    // The author chose "embattled" and "slammed"; "reckless" is the chair's view, reported.
    expect(
      await loadedTerms(
        'The embattled chairman spoke on Friday. He slammed the plan, saying it was reckless.',
      ),
    ).toEqual(['embattled', 'slammed']);
    expect(await loadedTerms('The chairman said the plan was reckless and draconian.')).toEqual([]);
    expect(await loadedTerms('"This is a disgrace," the chairman said on Friday.')).toEqual([]);
  });

  it('treats a parenthetical or "according to" report as the reported party\'s', async () => {
    expect(await loadedTerms('The plan, critics say, is reckless.')).toEqual([]);
    expect(await loadedTerms('According to the union, the cuts are draconian.')).toEqual([]);
    expect(await loadedTerms('The cuts are draconian, according to the union.')).toEqual([]);
    expect(await loadedTerms('Some will say that the cuts would betray families.')).toEqual([]);
  });
});
