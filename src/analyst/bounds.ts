import { trimSpan } from './scan.js';

/**
 * What keeps the reading of a chunk linear in its length whatever the text (issue 17): a run
 * without spaces is one opaque token, and a very long sentence is read in pieces. Prose has
 * neither, and is read as it always was.
 */

/**
 * Runs without whitespace longer than this (120 KB of `-`, a megabyte of letters) are one
 * opaque token: wink-nlp's tokenizer takes time quadratic in a run's length, and no word, cue
 * or term is that long. Its sentence splitter reads a one-letter stand-in instead.
 */
export const MAX_TOKEN_CHARS = 256;
/**
 * Sentences longer than this (a list or a whole text without a full stop) are read in pieces
 * cut at a line break, a clause's punctuation or a space, so that the work done per sentence
 * (names against verbs, quotes against clauses) stays bounded. The longest sentence in the
 * evaluation corpora is 2,754 characters (a BillSum bill).
 */
export const MAX_SENTENCE_CHARS = 5000;

const WORD = /[\p{L}\p{N}]/u;

/** A run of more than MAX_TOKEN_CHARS non-space characters; `at`: its offset in `standIn`'s text. */
export interface Run {
  start: number;
  length: number;
  at: number;
}

/** The runs of more than MAX_TOKEN_CHARS characters without whitespace, in order. */
export function longRuns(text: string): Run[] {
  const runs: Run[] = [];
  let removed = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !isSpace(text.charCodeAt(i))) continue;
    const length = i - start;
    if (length > MAX_TOKEN_CHARS) {
      runs.push({ start, length, at: start - removed });
      removed += length - 1;
    }
    start = i + 1;
  }
  return runs;
}

/** The text with each long run replaced by one letter, for wink-nlp. */
export function standIn(text: string, runs: readonly Run[]): string {
  const parts: string[] = [];
  let cursor = 0;
  for (const run of runs) {
    parts.push(text.slice(cursor, run.start), 'x');
    cursor = run.start + run.length;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** `/\s/` for one UTF-16 code unit, without a regular expression. */
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return (
    code === 160 ||
    code === 5760 ||
    (code >= 8192 && code <= 8202) ||
    code === 8232 ||
    code === 8233 ||
    code === 8239 ||
    code === 8287 ||
    code === 12288 ||
    code === 65279
  );
}

/** Sentences longer than MAX_SENTENCE_CHARS, cut into pieces (see `cutAt`). */
export function capLength(text: string, spans: Array<[number, number]>): Array<[number, number]> {
  if (spans.every(([start, end]) => end - start <= MAX_SENTENCE_CHARS)) return spans;
  const out: Array<[number, number]> = [];
  const push = (start: number, end: number) => {
    const [s, e] = trimSpan(text, start, end);
    if (e > s && WORD.test(text.slice(s, e))) out.push([s, e]);
  };
  for (const [first, end] of spans) {
    let start = first;
    while (end - start > MAX_SENTENCE_CHARS) {
      const cut = cutAt(text, start, end);
      if (cut >= end) break;
      push(start, cut);
      start = cut;
    }
    push(start, end);
  }
  return out;
}

/** Rank of a space as a place to cut a long sentence, by what precedes it. */
const CUT_RANK: Record<string, number> = { ';': 3, ':': 2, '—': 2, '–': 2, ',': 2 };

/**
 * Where to cut a long sentence that starts at `start`: at a space in the second half of the
 * next MAX_SENTENCE_CHARS characters, preferring a line break, then a semicolon, then other
 * clause punctuation, each as late as it comes; else at the last space before, or else at the
 * first space after (a run without spaces stays whole). `end` when there is none.
 */
function cutAt(text: string, start: number, end: number): number {
  const limit = Math.min(end - 1, start + MAX_SENTENCE_CHARS);
  const half = start + MAX_SENTENCE_CHARS / 2;
  let best = -1;
  let bestRank = 0;
  for (let i = limit; i > half && bestRank < 4; i--) {
    if (!isSpace(text.charCodeAt(i))) continue;
    const rank = text[i] === '\n' ? 4 : (CUT_RANK[text[i - 1]!] ?? 1);
    if (rank > bestRank) [best, bestRank] = [i, rank];
  }
  if (best !== -1) return best;
  for (let i = Math.min(limit, half); i > start; i--) if (isSpace(text.charCodeAt(i))) return i;
  for (let i = limit + 1; i < end; i++) if (isSpace(text.charCodeAt(i))) return i;
  return end;
}
