import type { ModelBrief } from '../briefs/schema.js';
import { readGenre } from './genre.js';
import { neutralize } from './lexicon.js';
import { analyse } from './nlp.js';
import { findNotes } from './notes/index.js';
import type { Settings } from './params.js';
import { rankSentences } from './rank.js';
import { lowercaseWords } from './render.js';
import { findActors } from './stakeholders.js';
import { readVoice } from './voice.js';
import { extract } from './summarize.js';
import { wordsBySpan, wordsOf, type Word } from './words.js';

/**
 * The map stage: one chunk in, a complete brief of that chunk out. For a document that fits
 * one chunk this is the final brief.
 */
export function analyseChunk(text: string, title: string | null, settings: Settings): ModelBrief {
  const analysis = analyse(text);
  const all = wordsOf(text);
  const words: Word[][] = wordsBySpan(all, analysis.sentences);
  const lowercase = lowercaseWords(text, all);
  const cast = findActors(analysis, words, lowercase);
  const ranking = rankSentences(analysis, titleTerms(title), settings);
  const genre = readGenre(text, title);
  const { headline, summary, keyPoints } = extract(
    analysis,
    ranking,
    settings,
    title,
    lowercase,
    genre,
  );
  const stakeholders = cast.actors
    .filter((actor) => !actor.place && actor.evidence !== null)
    .slice(0, Math.max(0, settings.maxStakeholders))
    .map((actor) => ({
      name: actor.name,
      role: neutralize(actor.role),
      representedInDocument: actor.represented,
    }));
  const voice = readVoice(analysis, words, genre.issuer);
  const counterPerspectives = findNotes({ analysis, words, cast, voice, genre, settings });
  return { headline, summary, keyPoints, stakeholders, counterPerspectives };
}

function titleTerms(title: string | null): string[] {
  if (!title?.trim()) return [];
  return analyse(title).sentences.flatMap((s) => s.terms);
}
