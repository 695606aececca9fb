/**
 * How far can any word list go? An upper bound for word-level `loaded_language` detectors on
 * the expert-labelled corpora, measured so the issue-13 targets can be judged against it.
 *
 *   npm run eval:bound -- --babe ../shared/data/babe-dev.jsonl --basil ../shared/data/basil-dev.jsonl
 *
 * A word list is LEARNED here from the experts' own labels on one half of a corpus and scored
 * on the other half (then the halves swap; figures are the mean of both folds): the list every
 * hand-written lexicon is trying to approximate, with the advantage of having seen the labels.
 * Nothing it learns is written anywhere or shipped (../shared/data/README.md); the script prints
 * figures only.
 *
 * - BABE: a learned word is one the experts marked as biased at least `min` times whose share of
 *   the training sentences containing it that are biased is at least `share`. A test sentence is
 *   flagged when it contains a learned word outside quotation marks; precision and recall against
 *   the `biased` label.
 * - BASIL (split by event, so one story's three reports never straddle the halves): a learned
 *   word is one at least `min` of whose occurrences lie inside author-voice lexical-bias spans
 *   (`bias === 'lex' && !inQuote`) and at least `share` of whose occurrences do. Scored as
 *   eval:notes scores notes: one note per distinct learned word per article, right when one of
 *   its occurrences lies inside such a span; recall is the share of spans holding one.
 * - Beside them, the analyst's shipped lexicon (src/analyst/data/loaded-language.json, single
 *   words) scored the same raw way (no voice rules), so the two are compared like for like.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LOADED } from '../src/analyst/lexicon.js';

interface BabeRecord {
  text: string;
  biased: boolean;
  biasedWords: string[];
}
interface BasilSpan {
  start: number;
  end: number;
  bias: string;
  inQuote: boolean;
}
interface BasilRecord {
  id: string;
  event: string;
  document: string;
  spans: BasilSpan[];
}
interface Score {
  precision: number;
  recall: number;
  flagged: number;
}

/** (min, share) pairs tried: most words are rare in these small corpora, so min stays low. */
const BABE_SETTINGS = [
  { min: 1, share: 0.7 },
  { min: 1, share: 0.9 },
  { min: 2, share: 0.7 },
  { min: 2, share: 0.9 },
  { min: 3, share: 0.8 },
];
/** An author-voice lexical span covers few of a word's uses, so the shares are lower here. */
const BASIL_SETTINGS = [
  { min: 1, share: 0.1 },
  { min: 1, share: 0.2 },
  { min: 1, share: 0.5 },
  { min: 2, share: 0.1 },
  { min: 2, share: 0.3 },
];

const readJsonl = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

/** Lower-cased words outside quotation marks, with their offsets. */
function wordsOutsideQuotes(text: string): Array<{ word: string; start: number; end: number }> {
  const quoted = [...text.matchAll(/["“][^"“”]*["”]/g)].map((m) => [
    m.index,
    m.index + m[0].length,
  ]);
  const out: Array<{ word: string; start: number; end: number }> = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)) {
    const start = match.index;
    if (quoted.some(([a, b]) => start >= a! && start < b!)) continue;
    out.push({ word: match[0].toLowerCase(), start, end: start + match[0].length });
  }
  return out;
}

/** A deterministic shuffle (mulberry32), so the folds are the same on every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const mean = (scores: Score[]): Score => ({
  precision: scores.reduce((sum, s) => sum + s.precision, 0) / scores.length,
  recall: scores.reduce((sum, s) => sum + s.recall, 0) / scores.length,
  flagged: scores.reduce((sum, s) => sum + s.flagged, 0),
});

function scoreBabe(test: BabeRecord[], lexicon: ReadonlySet<string>): Score {
  let right = 0;
  let flagged = 0;
  const biased = test.filter((record) => record.biased).length;
  for (const record of test) {
    if (!wordsOutsideQuotes(record.text).some(({ word }) => lexicon.has(word))) continue;
    flagged++;
    if (record.biased) right++;
  }
  return { precision: right / Math.max(1, flagged), recall: right / Math.max(1, biased), flagged };
}

function learnBabe(train: BabeRecord[], min: number, share: number): Set<string> {
  const marked = new Map<string, number>();
  const seen = new Map<string, { biased: number; all: number }>();
  for (const record of train) {
    for (const word of new Set(wordsOutsideQuotes(record.text).map((w) => w.word))) {
      const count = seen.get(word) ?? { biased: 0, all: 0 };
      count.all++;
      if (record.biased) count.biased++;
      seen.set(word, count);
    }
    for (const word of new Set(record.biasedWords.map((w) => w.toLowerCase()))) {
      marked.set(word, (marked.get(word) ?? 0) + 1);
    }
  }
  const out = new Set<string>();
  for (const [word, times] of marked) {
    const count = seen.get(word);
    if (count && times >= min && count.biased / count.all >= share) out.add(word);
  }
  return out;
}

const authorSpans = (record: BasilRecord) =>
  record.spans.filter((span) => span.bias === 'lex' && !span.inQuote);

function scoreBasil(test: BasilRecord[], lexicon: ReadonlySet<string>): Score {
  let notes = 0;
  let right = 0;
  let gold = 0;
  let found = 0;
  for (const record of test) {
    const spans = authorSpans(record);
    gold += spans.length;
    const byWord = new Map<string, Array<{ start: number; end: number }>>();
    for (const w of wordsOutsideQuotes(record.document)) {
      if (lexicon.has(w.word)) byWord.set(w.word, [...(byWord.get(w.word) ?? []), w]);
    }
    const hit = new Set<BasilSpan>();
    for (const occurrences of byWord.values()) {
      notes++;
      let ok = false;
      for (const o of occurrences) {
        for (const span of spans) {
          if (span.start <= o.start && o.end <= span.end) {
            ok = true;
            hit.add(span);
          }
        }
      }
      if (ok) right++;
    }
    found += hit.size;
  }
  return {
    precision: right / Math.max(1, notes),
    recall: found / Math.max(1, gold),
    flagged: notes,
  };
}

function learnBasil(train: BasilRecord[], min: number, share: number): Set<string> {
  const inside = new Map<string, number>();
  const all = new Map<string, number>();
  for (const record of train) {
    const spans = authorSpans(record);
    for (const w of wordsOutsideQuotes(record.document)) {
      all.set(w.word, (all.get(w.word) ?? 0) + 1);
      if (spans.some((span) => span.start <= w.start && w.end <= span.end)) {
        inside.set(w.word, (inside.get(w.word) ?? 0) + 1);
      }
    }
  }
  const out = new Set<string>();
  for (const [word, times] of inside) {
    if (times >= min && times / all.get(word)! >= share) out.add(word);
  }
  return out;
}

const row = (label: string, s: Score) =>
  `| ${label} | ${s.precision.toFixed(2)} | ${s.recall.toFixed(2)} | ${s.flagged} |`;

function report<T>(
  name: string,
  halves: [T[], T[]],
  learn: (train: T[], min: number, share: number) => Set<string>,
  score: (test: T[], lexicon: ReadonlySet<string>) => Score,
  settings: ReadonlyArray<{ min: number; share: number }>,
  target: string,
): void {
  const shipped = new Set(LOADED.map((e) => e.term).filter((term) => !term.includes(' ')));
  console.log(`\n## ${name} (target ${target})\n`);
  console.log('| word list | precision | recall | flagged (both folds) |\n|---|---:|---:|---:|');
  console.log(
    row('shipped lexicon, raw', mean([score(halves[0], shipped), score(halves[1], shipped)])),
  );
  for (const { min, share } of settings) {
    const folds = [
      score(halves[1], learn(halves[0], min, share)),
      score(halves[0], learn(halves[1], min, share)),
    ];
    console.log(row(`learned from labels: min ${min}, share ≥ ${share}`, mean(folds)));
  }
}

const { values } = parseArgs({
  options: { babe: { type: 'string' }, basil: { type: 'string' } },
});
if (!values.babe && !values.basil) {
  console.error('usage: npm run eval:bound -- --babe <babe.jsonl> --basil <basil.jsonl>');
  process.exit(2);
}
console.log(
  '# Upper bound of word-list loaded-language detectors (learned on one half, scored on the other)',
);
if (values.babe) {
  const records = shuffled(readJsonl<BabeRecord>(values.babe), 7);
  const half = Math.ceil(records.length / 2);
  report(
    'BABE sentences',
    [records.slice(0, half), records.slice(half)],
    learnBabe,
    scoreBabe,
    BABE_SETTINGS,
    'P ≥ 0.85 at R ≥ 0.35',
  );
}
if (values.basil) {
  const records = readJsonl<BasilRecord>(values.basil);
  const events = shuffled([...new Set(records.map((r) => r.event))].sort(), 3);
  const first = new Set(events.slice(0, Math.ceil(events.length / 2)));
  report(
    'BASIL articles',
    [records.filter((r) => first.has(r.event)), records.filter((r) => !first.has(r.event))],
    learnBasil,
    scoreBasil,
    BASIL_SETTINGS,
    'P ≥ 0.30 at R ≥ 0.15',
  );
}
