import type { NoteKind } from '../../briefs/schema.js';
import type { Genre } from '../genre.js';
import type { Analysis } from '../nlp.js';
import type { Settings } from '../params.js';
import { clipQuote } from '../quote.js';
import type { Cast } from '../stakeholders.js';
import { isAuthorVoice, isNamePart, type Voice } from '../voice.js';
import type { Word } from '../words.js';

/**
 * What every note detector reads: the chunk, its words per sentence, its actors, whose voice
 * each passage is, and the settings.
 */
export interface NoteContext {
  analysis: Analysis;
  words: readonly Word[][];
  cast: Cast;
  voice: Voice;
  /** What kind of text this is and who issues it: the issuer's words are the author's. */
  genre: Genre;
  settings: Settings;
}

/**
 * Whether words [from, to) of a sentence are the author's own wording: not quoted, not in a
 * sentence reporting another party's view, not part of a name. Judgement notes need this.
 */
export function authorsWording(
  context: NoteContext,
  sentence: number,
  from: number,
  to: number,
): boolean {
  const list = context.words[sentence]!;
  const start = list[from]?.start ?? context.analysis.sentences[sentence]!.start;
  const end = list[Math.max(from, to - 1)]?.end ?? start;
  return (
    isAuthorVoice(context.voice, sentence, start, end) &&
    !isNamePart(context.analysis.text, list, from, to)
  );
}

/** A note before selection: quotes are chunk offsets, `score` orders notes of one kind. */
export interface NoteCandidate {
  kind: NoteKind;
  claim: string;
  perspective: string;
  note: string;
  quotes: Array<[number, number]>;
  score: number;
  /** Offset of the first evidence, for stable ordering. */
  position: number;
}

/** The verbatim span (clause or sentence) around words [from, to) of a sentence. */
export function quoteAt(
  context: NoteContext,
  sentence: number,
  from: number,
  to: number,
): [number, number] {
  const s = context.analysis.sentences[sentence]!;
  const list = context.words[sentence]!;
  const focusStart = list[from]?.start ?? s.start;
  const focusEnd = list[Math.max(from, to - 1)]?.end ?? s.end;
  return clipQuote(
    context.analysis.text,
    s.start,
    s.end,
    context.settings.maxQuoteChars,
    focusStart,
    focusEnd,
  );
}

/** The words [from, to) of a sentence as written in the text. */
export function surface(context: NoteContext, sentence: number, from: number, to: number): string {
  const list = context.words[sentence]!;
  return context.analysis.text.slice(list[from]!.start, list[to - 1]!.end);
}

/** A short, single-line excerpt for note prose (never used as a citation). */
export function excerpt(text: string, maxWords = 14): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  return words.length <= maxWords ? words.join(' ') : `${words.slice(0, maxWords).join(' ')}…`;
}
