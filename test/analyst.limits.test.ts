import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBrief } from '../src/briefs/schema.js';
import { analyseChunk } from '../src/analyst/analyse-chunk.js';
import { MAX_SENTENCE_CHARS, MAX_TOKEN_CHARS } from '../src/analyst/bounds.js';
import { analyse } from '../src/analyst/nlp.js';
import { settingsFrom } from '../src/analyst/params.js';
import {
  dropTail,
  endsWithCommaAndTwoWords,
  pairedSpans,
  replaceSpans,
  trimEmphasisEnds,
  trimEndWhile,
  unlink,
} from '../src/analyst/scan.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { PromptParams } from '../src/prompts/prompt.js';
import { createTestApp, type TestApp } from './support/app.js';

/**
 * Issue 17: text that made the offline analyst take time quadratic (or worse) in its length —
 * one sentence ending in 120 KB of `-`, 40,000 `[`, megabytes without a space, a sentence of
 * 50,000 words — is read in time linear in its length, and every citation is still verbatim.
 * The bound is generous (machines are noisy): a quadratic case took tens of seconds at these
 * sizes before the fix; each now takes a fraction of a second.
 */
const LIMIT_MS = 1500;
const settings = settingsFrom(PromptParams.parse({}));

/** Deterministic pseudo-random letters. */
function letters(count: number, seed = 17): string {
  let state = seed;
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out[i] = String.fromCharCode(97 + (state % 26));
  }
  return out.join('');
}

const SENTENCE = 'The Ministry said the plan would cost 4,000 pounds, according to critics ';
const words = (count: number) =>
  Array.from({ length: count }, (_, k) => letters(2 + (k % 3), k + 1)).join(' ');

const CASES: Array<[string, () => string]> = [
  ['a sentence ending in 120 KB of "-"', () => `${SENTENCE}${'-'.repeat(120_000)}`],
  ['40,000 "["', () => '['.repeat(40_000)],
  ...[...'*_"(.\''].map((ch): [string, () => string] => [
    `200 KB of ${JSON.stringify(ch)}`,
    () => `${SENTENCE}${ch.repeat(200_000)} and more words after it.`,
  ]),
  ['200 KB of one letter', () => 'a'.repeat(200_000)],
  ['200 KB of random letters without a space', () => letters(200_000)],
  ['one 500 KB word', () => `The ${letters(500_000)} said so.`],
  ['a 200 KB hyphenated word', () => `${'ab-'.repeat(66_666)}a`],
  ['100,000 one-character lines', () => 'a\n'.repeat(100_000)],
  ['25,000 list items', () => '- a\n'.repeat(25_000)],
  ['a sentence of 50,000 words with no full stop', () => `${SENTENCE}${words(50_000)}`],
  ['200 KB of "1,1,1,…"', () => '1,'.repeat(100_000)],
  ['a speaker named 6,000 times in one sentence', () => 'John Smith said, '.repeat(6_000)],
  [
    'names and speech verbs with no full stop',
    () => 'Anna Bell said Carl Dunn said '.repeat(3_300),
  ],
  ['quotation marks opened and never closed', () => 'We said “'.repeat(22_000)],
  ['brackets opened and never closed, between words', () => 'The Ministry said ( a '.repeat(4_500)],
  ['link brackets opened and never closed', () => 'The Ministry said [ a '.repeat(4_500)],
  [
    'runs of commas between words',
    () => `The plan would ${', '.repeat(2_400)}cost more. `.repeat(20),
  ],
  ['runs of 256 hyphens and letters', () => `${'ab-'.repeat(85)}a `.repeat(390)],
  [
    'a figure on a party’s word, 2,500 times',
    () => 'The Ministry said 4,000 jobs would go. '.repeat(2_500),
  ],
];

function citations(brief: ModelBrief): string[] {
  return [
    ...brief.keyPoints.flatMap((point) => point.citations),
    ...brief.counterPerspectives.flatMap((note) => note.citations),
  ].map((citation) => citation.quote);
}

describe('the analyst reads pathological text in linear time', () => {
  for (const [name, make] of CASES) {
    it(name, () => {
      const text = normalizeText(make());
      const started = performance.now();
      const brief = analyseChunk(text, null, settings);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(LIMIT_MS);
      for (const quote of citations(brief)) expect(text.includes(quote)).toBe(true);
    });
  }
});

describe('long runs and long sentences', () => {
  it('reads a run without spaces as one opaque token, at its offsets', () => {
    const run = '-'.repeat(MAX_TOKEN_CHARS + 1);
    const word = letters(MAX_TOKEN_CHARS * 3);
    const text = `The Ministry said ${run} it would act. Then ${word} failed. Short words stay.`;
    const analysis = analyse(text);
    for (const token of analysis.tokens)
      expect(text.slice(token.start, token.end)).toBe(token.value);
    const opaque = analysis.tokens.filter((token) => token.opaque).map((token) => token.value);
    expect(opaque).toEqual([run, word]);
    expect(analysis.sentences.map((s) => s.text)).toContain('Short words stay.');
    expect(analysis.sentences.flatMap((s) => s.terms)).not.toContain(word);
    expect(analysis.tokens.filter((t) => !t.opaque).every((t) => t.value.length <= 256)).toBe(true);
  });

  it('cuts a sentence longer than the limit at clause punctuation, keeping offsets', () => {
    const clause = 'the council said the depot would close, ';
    const count = Math.ceil((3 * MAX_SENTENCE_CHARS) / clause.length);
    const text = `${clause.repeat(count)}the council agreed.`;
    const analysis = analyse(text);
    expect(analysis.sentences.length).toBeGreaterThanOrEqual(3);
    for (const sentence of analysis.sentences) {
      expect(sentence.end - sentence.start).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
      expect(text.slice(sentence.start, sentence.end)).toBe(sentence.text);
      expect(sentence.text.startsWith('the council')).toBe(true); // cut after a comma
    }
  });

  it('leaves sentences under the limit as they were', () => {
    const text = `${'The council said that the depot would close. '.repeat(50)}`.trim();
    expect(analyse(text).sentences.map((s) => s.text)).toEqual(
      Array.from({ length: 50 }, () => 'The council said that the depot would close.'),
    );
  });
});

/** Random strings over an alphabet that holds every character the patterns care about. */
function randomStrings(alphabet: readonly string[], count: number, seed: number): string[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
  return Array.from({ length: count }, () =>
    Array.from({ length: next() % 24 }, () => alphabet[next() % alphabet.length]).join(''),
  );
}

describe('the linear-time scans do what the patterns they replace did', () => {
  const alphabet = [...'ab A,;:-—–*_"“”()[]! \n', 'é', 'the', 'and', 'for', 'in'];
  const inputs = randomStrings(alphabet, 4_000, 7);
  const pairs: Array<[string, (s: string) => unknown, (s: string) => unknown]> = [
    ['trimEndWhile', (s) => s.replace(/[\s,;:\-—–]+$/, ''), (s) => trimEndWhile(s, /[\s,;:\-—–]/)],
    [
      'dropTail',
      (s) => s.replace(/\s+(?:the|a|an|and|or|of|to|for|in|on|by)$/i, ''),
      (s) => dropTail(s, /\s(?:the|a|an|and|or|of|to|for|in|on|by)$/i, 3),
    ],
    [
      'pairedSpans',
      (s) => s.replace(/["“][^"”]*["”]/g, '|'),
      (s) => replaceSpans(s, pairedSpans(s, '"“', '"”'), () => '|'),
    ],
    [
      'split around quotations',
      (s) =>
        s
          .split(/(["“][^"”]*["”])/)
          .map((part, k) => (k % 2 === 1 ? part : part.toUpperCase()))
          .join(''),
      (s) =>
        replaceSpans(
          s,
          pairedSpans(s, '"“', '"”'),
          (q) => q,
          (part) => part.toUpperCase(),
        ),
    ],
    [
      'brackets',
      (s) => s.replace(/\([^)]*\)/g, ' '),
      (s) => replaceSpans(s, pairedSpans(s, '(', ')'), () => ' '),
    ],
    ['unlink', (s) => s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'), unlink],
    ['trimEmphasisEnds', (s) => s.replace(/^[*_]+(?=\S)|(?<=\S)[*_]+$/g, ''), trimEmphasisEnds],
    [
      'endsWithCommaAndTwoWords',
      (s) => /,\s*(?:\p{L}+\s*){0,2}$/u.test(s),
      endsWithCommaAndTwoWords,
    ],
  ];
  for (const [name, pattern, scan] of pairs) {
    it(name, () => {
      for (const input of inputs) expect([input, scan(input)]).toEqual([input, pattern(input)]);
    });
  }
});

describe('POST /v1/briefs with the worst case', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 201 with verified citations', async () => {
    const text = 'John Smith said, '.repeat(12_000).trim();
    const response = await app.postJson({ text }, '?wait=60');
    expect(response.status).toBe(201);
    type Cited = Array<{ citations: Array<{ quote: string; verified: boolean }> }>;
    const view = (await response.json()) as {
      status: string;
      brief: { keyPoints: Cited; counterPerspectives: Cited };
    };
    expect(view.status).toBe('succeeded');
    const { keyPoints, counterPerspectives } = view.brief;
    const all = [...keyPoints, ...counterPerspectives].flatMap((x) => x.citations);
    expect(all.length).toBeGreaterThan(0);
    for (const citation of all) {
      expect(citation.verified).toBe(true);
      expect(text.includes(citation.quote)).toBe(true);
    }
  }, 30_000);
});
