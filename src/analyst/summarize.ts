import type { ModelBrief } from '../briefs/schema.js';
import { genreLabel, genreSubject, type Genre } from './genre.js';
import { neutralize } from './lexicon.js';
import type { Analysis } from './nlp.js';
import type { Settings } from './params.js';
import { clipQuote } from './quote.js';
import { mmr, type Ranking } from './rank.js';
import { cutWords, isProseSentence, plainText, renderProse } from './render.js';
import { dropTail, pairedSpans, replaceSpans, trimEndWhile } from './scan.js';
import { countWords } from './words.js';

/**
 * Summary, key points and headline of one chunk, from the sentence ranking.
 *
 * The summary covers the whole argument: the chunk is cut into as many equal stretches as the
 * summary has room for sentences, each stretch's best sentence is taken first, and the rest of
 * the budget goes by rank (maximal marginal relevance); sentences are printed in source order.
 * Its length grows with the chunk (`summaryShare` of its words, at least `minSummaryWords`)
 * up to `summaryWords`. A sentence whose loaded words cannot be re-worded without changing what
 * it says is passed over while another will do. Key points add sentences the summary does not
 * already give.
 */
export interface Extract {
  headline: string;
  summary: string;
  keyPoints: ModelBrief['keyPoints'];
}

const KEY_POINT_WORDS = 45;
const HEADLINE_WORDS = 20;
/** A sentence that opens on a pronoun or a demonstrative standing for an earlier sentence. */
const ANAPHORIC =
  /^["“‘(]?(?:(?:He|She|They|It|His|Her|Their|Its)\b|(?:This|That|These|Those) (?:is|was|are|were|means|meant|will|would|has|have|had|shows|suggests|makes|can|could|may|might|must|should)\b)/u;

/** First person plural, outside quotation marks (see `outsideQuotes`). */
const WE = /\b(?:we|We|us|our|Our|ours|ourselves)\b/;

/** Words a sentence of the summary is counted at, on average, when cutting the stretches. */
const WORDS_PER_SENTENCE = 35;

export function extract(
  analysis: Analysis,
  ranking: Ranking,
  settings: Settings,
  title: string | null,
  lowercase: ReadonlySet<string>,
  genre: Genre,
): Extract {
  const prose = new Map<number, { text: string; kept: number }>();
  const render = (index: number, lead: string) =>
    renderProse(analysis.sentences[index]!.text, lead, lowercase);
  const usable = ranking.order.filter((index) => isProseSentence(analysis.sentences[index]!.text));
  for (const index of usable) prose.set(index, render(index, 'The document'));
  const clean = usable.filter((index) => prose.get(index)!.kept === 0);
  // "He said the cuts were…", "This means…": a pronoun's referent is in a sentence the summary
  // may not give, so sentences that stand on their own come first.
  // A person's "we" and "our" ("our ports", "our cities") speak for a side the text does not
  // name: "the authors'" would be wrong, so sentences without them come first too.
  const personal = genre.kind === 'op-ed' || genre.kind === 'speech' || genre.kind === 'letter';
  const standalone = clean.filter((index) => {
    const text = analysis.sentences[index]!.text;
    return !ANAPHORIC.test(text) && !(personal && WE.test(outsideQuotes(plainText(text))));
  });
  const pool = standalone.length >= 3 ? standalone : clean.length >= 3 ? clean : usable;
  const order = mmr(
    { ...ranking, order: pool },
    Math.max(settings.maxKeyPoints, 60),
    settings.redundancy,
  );

  const target = summaryTarget(analysis, settings);
  const chosen = chooseForBudget(analysis, order, target);
  chosen.sort((a, b) => a - b);

  const parts: string[] = [];
  let words = 0;
  for (const index of chosen) {
    const remaining = Math.ceil(target * 1.2) - words;
    if (remaining < 8) break;
    const lead = parts.length === 0 ? genreSubject(genre) : 'It';
    const text = cutWords(render(index, lead).text, remaining);
    parts.push(text);
    words += countWords(text);
  }

  const inSummary = new Set(chosen);
  const fresh = order.filter((index) => !inSummary.has(index));
  const keyIndexes = [...fresh, ...order.filter((index) => inSummary.has(index))]
    .slice(0, settings.maxKeyPoints)
    .sort((a, b) => a - b);
  const keyPoints = keyIndexes.map((index) => {
    const sentence = analysis.sentences[index]!;
    const [start, end] = clipQuote(
      analysis.text,
      sentence.start,
      sentence.end,
      settings.maxQuoteChars,
    );
    return {
      text: cutWords(prose.get(index)!.text, KEY_POINT_WORDS),
      citations: [{ quote: analysis.text.slice(start, end) }],
    };
  });

  return {
    headline: headline(analysis, order, title, genre),
    summary: parts.join(' '),
    keyPoints,
  };
}

function summaryTarget(analysis: Analysis, settings: Settings): number {
  if (settings.summaryShare <= 0) return settings.summaryWords;
  const words = analysis.sentences.reduce((sum, s) => sum + s.words, 0);
  const scaled = Math.max(settings.minSummaryWords, Math.round(words * settings.summaryShare));
  return Math.min(settings.summaryWords, scaled);
}

/**
 * Each stretch's best sentence first (the whole argument, not its opening), then the rest of
 * the budget by rank. A sentence that would overshoot a nearly full summary by far gives way to
 * a shorter one.
 */
function chooseForBudget(analysis: Analysis, order: readonly number[], target: number): number[] {
  const sentences = analysis.sentences;
  const stretches = Math.max(1, Math.min(8, Math.round(target / WORDS_PER_SENTENCE)));
  const end = sentences.at(-1)?.end ?? 1;
  const stretchOf = (index: number) =>
    Math.min(stretches - 1, Math.floor((sentences[index]!.start / end) * stretches));
  const firsts: number[] = [];
  const covered = new Set<number>();
  for (const index of order) {
    const stretch = stretchOf(index);
    if (covered.has(stretch)) continue;
    covered.add(stretch);
    firsts.push(index);
  }
  const chosen: number[] = [];
  let total = 0;
  for (const index of [...firsts, ...order.filter((i) => !firsts.includes(i))]) {
    if (total >= target) break;
    const length = sentences[index]!.words + 4; // + attribution
    if (chosen.length > 0 && total + length > target * 1.25 && total > target * 0.6) continue;
    chosen.push(index);
    total += length;
  }
  return chosen;
}

/**
 * The title when it fits (at most 20 words), neutralised; a longer title up to the last clause
 * that fits; else the chunk's first heading; else its best sentence. Never a cut-off word run.
 * The title of a text that argues is attributed to its author ("Op-ed by Hollis Marr: “…”")
 * unless it already says who speaks.
 */
function headline(
  analysis: Analysis,
  order: readonly number[],
  title: string | null,
  genre: Genre,
): string {
  const heading = analysis.sentences.find((s) => s.heading && s.text.startsWith('#'));
  const best = order[0] === undefined ? undefined : analysis.sentences[order[0]];
  const named = title?.trim() || heading?.text;
  const source = named || best?.text || 'Untitled document';
  const text = fitHeadline(trimEndWhile(neutralize(plainText(source)), /[.:;,]/));
  // An argued text's title is its author's claim ("The Drava Strait is ours"): say whose.
  const label = named ? genreLabel(genre) : null;
  const says = (words: string | null) =>
    !!words && text.toLowerCase().includes(words.toLowerCase());
  if (!label || /["“”]/.test(text) || says(genre.issuer) || says(genre.kind)) return text;
  const attributed = `${label}: “${text}”`;
  return countWords(attributed) <= HEADLINE_WORDS ? attributed : text;
}

const STRONG_CLAUSE = /^(.*?\S)(?:,|;| to| under| which| that| and for)\s/;
const WEAK_CLAUSE = /^(.*\S)(?: and| for| by| with| in| of| on)\s[^,;]*$/;

/** At most 20 words, cut at a clause ("…, and for other purposes") rather than mid-phrase. */
export function fitHeadline(text: string): string {
  if (!text) return 'Untitled document';
  if (countWords(text) <= HEADLINE_WORDS) return text;
  const cut = cutWords(text, HEADLINE_WORDS).replace(/…$/, '');
  const shorter =
    [STRONG_CLAUSE, WEAK_CLAUSE]
      .map((pattern) => pattern.exec(cut)?.[1])
      .find((head) => head !== undefined && countWords(head) >= 8) ?? cut;
  return dropTail(trimEndWhile(shorter, /[\s,;:]/), DANGLING, 3);
}

/** A word that cannot end a headline (`dropTail` takes the spaces before it too). */
const DANGLING = /\s(?:the|a|an|and|or|of|to|for|in|on|by)$/i;

/** `text.replace(/["“][^"”]*["”]/g, '')`: what the text says outside quotation marks. */
function outsideQuotes(text: string): string {
  return replaceSpans(text, pairedSpans(text, '"“', '"”'), () => '');
}
