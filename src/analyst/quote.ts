import { MIN_QUOTE_CHARS } from './constants.js';

/**
 * Verbatim quotes. A quote is always `text.slice(start, end)` of the chunk, so it is found
 * exactly in the document; when a sentence is too long, the quote is the clause (or clauses)
 * around the evidence, cut at punctuation, else at word boundaries.
 */
export function clipQuote(
  text: string,
  start: number,
  end: number,
  maxChars: number,
  focusStart = start,
  focusEnd = Math.min(end, focusStart + 1),
): [number, number] {
  if (end - start <= maxChars) return trim(text, start, end);
  // Clause boundaries: only those within `maxChars` of the focus can bound a quote of at most
  // `maxChars`, and those inside the focus are never one, so the rest of a long sentence is
  // not read (a farther one makes the quote too long, as `start` and `end` do in its place).
  const boundaries = [start];
  const middle = Math.min(focusStart, end);
  for (let i = Math.max(start, focusStart - maxChars - 2); i < middle; i++)
    if (isClauseEnd(text[i]!)) boundaries.push(i + 1);
  const far = Math.min(end, focusEnd + maxChars + 1);
  for (let i = Math.max(middle, focusEnd - 1); i < far; i++)
    if (isClauseEnd(text[i]!)) boundaries.push(i + 1);
  boundaries.push(end);
  let left = 0;
  while (left + 1 < boundaries.length && boundaries[left + 1]! <= focusStart) left++;
  let right = left + 1;
  while (right < boundaries.length - 1 && boundaries[right]! < focusEnd) right++;
  // Grow clause by clause, rightwards first, while the quote stays within bounds.
  for (;;) {
    const growRight =
      right + 1 < boundaries.length && boundaries[right + 1]! - boundaries[left]! <= maxChars;
    if (growRight) right++;
    const growLeft = left > 0 && boundaries[right]! - boundaries[left - 1]! <= maxChars;
    if (growLeft) left--;
    if (!growRight && !growLeft) break;
  }
  let s = boundaries[left]!;
  let e = boundaries[right]!;
  if (e - s > maxChars) {
    // One clause is longer than the limit: a window of whole words around the focus.
    s = Math.max(start, Math.min(focusStart - Math.floor(maxChars / 3), end - maxChars));
    e = Math.min(end, s + maxChars);
    while (s > start && s < e && /\S/.test(text[s - 1]!)) s++;
    while (e < end && e > s && /\S/.test(text[e]!)) e--;
  }
  const [ts, te] = trim(text, s, e);
  if (te - ts < MIN_QUOTE_CHARS) return trim(text, start, Math.min(end, start + maxChars));
  return [ts, te];
}

function isClauseEnd(ch: string): boolean {
  return ch === ',' || ch === ';' || ch === ':' || ch === '—' || ch === '–' || ch === '\n';
}

/** Drops surrounding whitespace and dangling clause punctuation; never leaves an empty span. */
function trim(text: string, start: number, end: number): [number, number] {
  let s = start;
  let e = end;
  while (s < e && /[\s,;:—–]/.test(text[s]!)) s++;
  while (e > s && /[\s,;:—–]/.test(text[e - 1]!)) e--;
  return e > s ? [s, e] : [start, end];
}
