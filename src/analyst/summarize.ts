import type { ModelBrief } from '../briefs/schema.js';
import { neutralize } from './lexicon.js';
import type { Analysis } from './nlp.js';
import type { Settings } from './params.js';
import { clipQuote } from './quote.js';
import { mmr, type Ranking } from './rank.js';
import { cutWords, plainText, renderSentence } from './render.js';
import { countWords } from './words.js';

/**
 * Summary, key points and headline of one chunk, from the sentence ranking.
 *
 * Sentences are chosen by maximal marginal relevance until the target length is met (the last
 * one may overshoot a little rather than leave the summary short), then printed in source order.
 */
export interface Extract {
  headline: string;
  summary: string;
  keyPoints: ModelBrief['keyPoints'];
}

const KEY_POINT_WORDS = 45;
const HEADLINE_WORDS = 20;

export function extract(
  analysis: Analysis,
  ranking: Ranking,
  settings: Settings,
  title: string | null,
  lowercase: ReadonlySet<string>,
): Extract {
  const order = mmr(ranking, Math.max(settings.maxKeyPoints, 60), settings.redundancy);
  const chosen = chooseForBudget(analysis, order, settings.summaryWords);
  chosen.sort((a, b) => a - b);

  const parts: string[] = [];
  let words = 0;
  for (const index of chosen) {
    let prose = renderSentence(
      analysis.sentences[index]!.text,
      parts.length === 0 ? 'The document' : 'It',
      lowercase,
    );
    const remaining = Math.ceil(settings.summaryWords * 1.2) - words;
    if (remaining < 8) break;
    prose = cutWords(prose, remaining);
    parts.push(prose);
    words += countWords(prose);
  }

  const keyIndexes = order.slice(0, settings.maxKeyPoints).sort((a, b) => a - b);
  const keyPoints = keyIndexes.map((index) => {
    const sentence = analysis.sentences[index]!;
    const [start, end] = clipQuote(
      analysis.text,
      sentence.start,
      sentence.end,
      settings.maxQuoteChars,
    );
    return {
      text: cutWords(renderSentence(sentence.text, 'The document', lowercase), KEY_POINT_WORDS),
      citations: [{ quote: analysis.text.slice(start, end) }],
    };
  });

  return { headline: headline(analysis, order, title), summary: parts.join(' '), keyPoints };
}

function chooseForBudget(analysis: Analysis, order: readonly number[], target: number): number[] {
  const chosen: number[] = [];
  let total = 0;
  for (const index of order) {
    if (total >= target) break;
    const length = analysis.sentences[index]!.words + 4; // + attribution
    // A sentence that would overshoot a nearly full summary by far gives way to a shorter one.
    if (chosen.length > 0 && total + length > target * 1.25 && total > target * 0.6) continue;
    chosen.push(index);
    total += length;
  }
  return chosen;
}

/** The title, neutralised; else the chunk's first heading; else its best sentence. */
function headline(analysis: Analysis, order: readonly number[], title: string | null): string {
  const heading = analysis.sentences.find((s) => s.heading && s.text.startsWith('#'));
  const best = order[0] === undefined ? undefined : analysis.sentences[order[0]];
  const source = title?.trim() || heading?.text || best?.text || 'Untitled document';
  const text = neutralize(plainText(source)).replace(/[.:;,]+$/, '');
  return cutWords(text, HEADLINE_WORDS) || 'Untitled document';
}
