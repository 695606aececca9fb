import type { ModelBrief } from '../../src/briefs/schema.js';

/**
 * What a careful reader marks as broken English or a changed fact in the prose a brief writes
 * (headline, summary, key points), checked against the source document. Each finding names the
 * defect and the sentence. Used by test/analyst.defects.test.ts over the seeds and, when
 * present, the shared BillSum and BASIL files.
 */
export interface Defect {
  defect: string;
  where: 'headline' | 'summary' | 'key point';
  text: string;
}

const FUNCTION_WORDS = new Set(
  'the a an this these that those it its there their they he she his her in on at for with as if when while although some many most all each every no our your any both such'.split(
    ' ',
  ),
);

const CHECKS: Array<[string, (sentence: string, source: SourceWords) => boolean]> = [
  [
    'capitalised common word after "that"',
    (s, source) =>
      [...s.matchAll(/\bthat (\p{Lu}\p{Ll}+)(?![\p{L}'’-])( \p{Lu})?/gu)].some((m) => {
        const word = m[1]!.toLowerCase();
        if (word === 'the' && m[2]) return false; // "The Times"
        return FUNCTION_WORDS.has(word) || (!m[2] && source.lower.has(word));
      }),
  ],
  ['salutation as a sentence', (s) => /\b(?:Madam|Mr\.?) (?:Deputy )?Speaker,/.test(s)],
  [
    'caption, credit or bibliography as a sentence',
    (s) =>
      /\bthat (?:Figure|Table|Chart|Source|Sources|Photo)\s*\d/.test(s) ||
      /\bthat (?:prepared|written|published|compiled|edited|produced) by\b/i.test(s) ||
      /\bet al\.|\bdoi:|\bISBN\b|\(\d{4}[a-z]?\)\.\s+\p{Lu}/u.test(s),
  ],
  [
    'heading glued to a sentence',
    (s) =>
      /\b\p{Ll}{3,} (?:The|This|These|We|Our|In) \p{Ll}/u.test(s) ||
      /:\s(?:\p{Ll}+\s){1,6}(?:The|This|These) \p{Lu}/u.test(s),
  ],
  [
    'broken word',
    (s) =>
      /(?<![\p{L}\p{N}'’.(-])(?![ai]\b)\p{Ll} \p{Ll}{3,}\b/u.test(s.replace(/\([^)]{1,4}\)/g, '')),
  ],
  [
    '"s\'s" possessive',
    (s, source) =>
      [...s.matchAll(/(\p{L}+s)['’]s\b/gu)].some((m) => {
        const base = m[1]!.toLowerCase();
        return source.lower.has(base) || /(?:ies|ers|ents|ants)$/.test(base); // plural nouns
      }),
  ],
  [
    'heading as a sentence',
    (s) => {
      const body = /\bthat (.+)$/.exec(s)?.[1] ?? '';
      const words = body.match(/\p{L}[\p{L}'’-]*/gu) ?? [];
      const long = words.filter((w) => w.length > 3);
      return long.length >= 2 && long.every((w) => /^\p{Lu}/u.test(w)) && !/["“]/.test(body);
    },
  ],
  ['doubled quote mark', (s) => /["“”]{2}|''/.test(s)],
  [
    'unbalanced quotation',
    (s) =>
      !s.endsWith('…') &&
      ((s.match(/"/g) ?? []).length % 2 === 1 ||
        (s.match(/“/g) ?? []).length !== (s.match(/”/g) ?? []).length),
  ],
  [
    're-worded name',
    (s, source) =>
      [...s.matchAll(/(?<=\p{L}[,;]? )\p{Lu}[\p{L}'’-]*/gu)].some(
        (m) => !source.capitalised.has(m[0].replace(/['’]+s?$/, '')),
      ),
  ],
];

interface SourceWords {
  /** Words the source writes in lower case. */
  lower: Set<string>;
  /** Words the source writes with a capital. */
  capitalised: Set<string>;
}

function sourceWords(source: string): SourceWords {
  const lower = new Set<string>();
  const capitalised = new Set<string>();
  for (const match of source.matchAll(/\p{L}[\p{L}'’-]*/gu)) {
    const word = match[0].replace(/['’]+s?$/, '');
    if (/^\p{Lu}/u.test(word)) capitalised.add(word);
    else lower.add(word.toLowerCase());
  }
  return { lower, capitalised };
}

/** Sentences of the analyst's own prose: each opens with its attribution. */
export function proseSentences(summary: string): string[] {
  return summary
    .split(
      /(?<=[.?!…"”])\s+(?=(?:The document|It) (?:states|argues|reports|asks|calls|also)\b|According to (?:the|this)\b|This [^.]{0,80}? (?:states|argues|reports|asks|calls)\b)/,
    )
    .map((s) => s.trim())
    .filter(Boolean);
}

export function findDefects(brief: ModelBrief, source: string): Defect[] {
  const words = sourceWords(source);
  const out: Defect[] = [];
  const check = (where: Defect['where'], text: string) => {
    for (const [defect, test] of CHECKS) if (test(text, words)) out.push({ defect, where, text });
  };
  if (countWords(brief.headline) > 20 || /(?:…|\.\.\.)$/.test(brief.headline))
    out.push({ defect: 'truncated headline', where: 'headline', text: brief.headline });
  // A headline that is the source's own title, word for word, has the title's punctuation.
  if (!source.includes(brief.headline)) check('headline', brief.headline);
  for (const sentence of proseSentences(brief.summary)) check('summary', sentence);
  for (const point of brief.keyPoints) check('key point', point.text);
  return out;
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
