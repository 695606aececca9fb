/**
 * Linear-time stand-ins for regular expressions that backtrack on a long run of one character
 * (issue 17: a sentence ending in 120 KB of `-` held the server for a minute). Each does what
 * the pattern in its comment does, in one pass over the text; the analyst's tests compare them
 * with the pattern on random strings.
 */

/** [start, end) without the whitespace at its two ends. */
export function trimSpan(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return [start, end];
}

/** `text.replace(/[…]+$/, '')`: drops the trailing characters that `char` (one character) matches. */
export function trimEndWhile(text: string, char: RegExp): string {
  let end = text.length;
  while (end > 0 && char.test(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * `text.replace(/\s+(?:a|b|…)$/, '')` for alternatives of at most `longest` characters: `tail`
 * is `/\s(?:a|b|…)$/` (same flags), tried on the last characters only; the run of whitespace
 * before the match goes with it.
 */
export function dropTail(text: string, tail: RegExp, longest: number): string {
  const from = Math.max(0, text.length - longest - 1);
  const match = tail.exec(text.slice(from));
  if (!match) return text;
  let start = from + match.index;
  while (start > 0 && /\s/.test(text[start - 1]!)) start--;
  return text.slice(0, start);
}

/**
 * The matches of `/[opens][^closes]*[closes]/g` as [start, end) pairs: an opening character,
 * then everything up to the first closing character after it.
 */
export function pairedSpans(text: string, opens: string, closes: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (open >= 0) {
      if (closes.includes(ch)) {
        out.push([open, i + 1]);
        open = -1;
      }
    } else if (opens.includes(ch)) open = i;
  }
  return out;
}

/** `text` with each span replaced by what `by` makes of it (spans in order, disjoint). */
export function replaceSpans(
  text: string,
  spans: ReadonlyArray<readonly [number, number]>,
  by: (span: string) => string,
  between: (part: string) => string = (part) => part,
): string {
  if (spans.length === 0) return between(text);
  let out = '';
  let cursor = 0;
  for (const [start, end] of spans) {
    out += between(text.slice(cursor, start)) + by(text.slice(start, end));
    cursor = end;
  }
  return out + between(text.slice(cursor));
}

/** `text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')`: a Markdown link keeps its text. */
export function unlink(text: string): string {
  let open = text.indexOf('[');
  if (open === -1) return text;
  let out = '';
  let cursor = 0;
  while (open !== -1) {
    const close = text.indexOf(']', open + 1);
    if (close === -1) break;
    if (text[close + 1] !== '(') {
      open = text.indexOf('[', close + 1);
      continue;
    }
    const end = text.indexOf(')', close + 2);
    if (end === -1) break;
    out += text.slice(cursor, open) + text.slice(open + 1, close);
    cursor = end + 1;
    open = text.indexOf('[', cursor);
  }
  return out + text.slice(cursor);
}

const EMPHASIS = /[*_]/;
const SPACE = /\s/;

/**
 * `text.replace(/^[*_]+(?=\S)|(?<=\S)[*_]+$/g, '')`: the two ends of emphasis that a sentence
 * break cut off.
 */
export function trimEmphasisEnds(text: string): string {
  const length = text.length;
  let lead = 0;
  while (lead < length && EMPHASIS.test(text[lead]!)) lead++;
  // The leading run is taken whole before a non-space, else all but its last mark (itself \S).
  let cut = 0;
  if (lead > 0) {
    if (lead < length && !SPACE.test(text[lead]!)) cut = lead;
    else if (lead >= 2) cut = lead - 1;
  }
  let trail = length;
  while (trail > 0 && EMPHASIS.test(text[trail - 1]!)) trail--;
  // The trailing match starts at the first mark of the final run that follows a non-space, and
  // not before the end of the leading match.
  let from = Math.max(trail, cut);
  while (from < length && (from === 0 || SPACE.test(text[from - 1]!))) from++;
  if (cut === 0 && from >= length) return text;
  return text.slice(cut, Math.max(cut, from));
}

/**
 * `/,\s*(?:\p{L}+\s*){0,2}$/u.test(text)`: a comma, then at most two words of letters (and
 * spaces) to the end.
 */
export function endsWithCommaAndTwoWords(text: string): boolean {
  const comma = text.lastIndexOf(',');
  if (comma === -1) return false;
  let runs = 0;
  let inRun = false;
  for (const ch of text.slice(comma + 1)) {
    if (LETTER.test(ch)) {
      if (!inRun && ++runs > 2) return false;
      inRun = true;
    } else if (SPACE.test(ch)) inRun = false;
    else return false;
  }
  return true;
}

const LETTER = /^\p{L}$/u;
