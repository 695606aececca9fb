/** A slice of the normalized document, read by one map call. */
export interface Chunk {
  index: number;
  /** Offsets in the normalized text; `text === document.slice(start, end)`. */
  start: number;
  end: number;
  /** Where this chunk's own text begins; `start..bodyStart` repeats the previous chunk's end. */
  bodyStart: number;
  text: string;
  /**
   * Its size as the budget counted it: the tokens of each unit of its body, each counted on its
   * own, plus those of the overlap, counted as one slice. Separators are not counted, and `text`
   * is not counted again: that would run the tokenizer over the whole document a second time.
   */
  tokens: number;
}

export interface ChunkOptions {
  /** Token budget of one chunk, overlap included. */
  maxTokens: number;
  overlapTokens: number;
  countTokens: (text: string) => number;
}

interface Unit {
  start: number;
  end: number;
  tokens: number;
}

/**
 * Token-aware, content-defined chunking.
 *
 * The text is cut into units (paragraphs; sentences of a paragraph that is too long; word runs
 * of a sentence that is too long). Units are grouped into chunks, and a chunk ends after a unit
 * whose text hashes below a threshold proportional to its size, once the chunk holds at least
 * half its budget, or where the next unit would not fit. Because the decision depends on the
 * unit's own text and not on a count from the document's start, editing one paragraph moves
 * at most the boundaries next to it: the chunks after it are cut where they were before.
 *
 * Each paragraph is counted once. Where a cut is searched for (a word run's end, the overlap's
 * start), the candidates are tested by bisection rather than one after another: a slice's count
 * grows with the slice (a BPE tokenizer's too, at the word boundaries searched), so bisection
 * finds the candidate the one-by-one search found, in a logarithmic number of counts; one by one,
 * a sentence of dense text was counted up to 88 times over (issue 14). test/chunk.test.ts holds
 * both tokenizers to the cuts the one-by-one chunker made.
 */
export function chunkText(text: string, options: ChunkOptions): Chunk[] {
  return [...cutChunks(text, options)];
}

/**
 * chunkText's chunks one at a time, each as soon as it is cut, so a brief can start a chunk's
 * map call while the rest of the document is still being read (src/briefs/run.ts). The first
 * comes once the text is known not to fit one chunk.
 */
export function* cutChunks(text: string, options: ChunkOptions): Generator<Chunk> {
  const overlap = Math.min(options.overlapTokens, Math.floor(options.maxTokens / 4));
  const bodyBudget = options.maxTokens - overlap;
  const units = splitUnits(text, Math.max(1, Math.floor(bodyBudget / 4)), options.countTokens);
  // Units are read until they are known not to fit in one chunk: the whole text, or none of it.
  const head: Unit[] = [];
  let total = 0;
  // (A for-of loop's break would close the generator: the rest is read below.)
  for (let next = units.next(); !next.done; next = units.next()) {
    head.push(next.value);
    total += next.value.tokens;
    if (total + head.length - 1 > options.maxTokens) break;
  }
  if (total + head.length - 1 <= options.maxTokens) {
    yield { index: 0, start: 0, end: text.length, bodyStart: 0, text, tokens: total };
    return;
  }

  const minTokens = Math.floor(bodyBudget / 2);
  // On average about two boundary candidates fall between the minimum and the budget.
  const spread = Math.max(1, (bodyBudget - minTokens) / 2);
  let previous: Unit[] | undefined;
  let index = 0;
  let current: Unit[] = [];
  let tokens = 0;
  let unitTokens = 0;
  const chunkOf = (group: Unit[], groupTokens: number): Chunk => {
    const bodyStart = group[0]!.start;
    const end = group[group.length - 1]!.end;
    const carried = previous ? overlapStart(text, previous, overlap, options.countTokens) : null;
    const start = carried?.start ?? bodyStart;
    previous = group;
    return {
      index: index++,
      start,
      end,
      bodyStart,
      text: text.slice(start, end),
      tokens: groupTokens + (carried?.tokens ?? 0),
    };
  };
  for (const unit of concat(head, units)) {
    // One token of allowance for the separator before every unit but a chunk's first.
    if (current.length > 0 && tokens + 1 + unit.tokens > bodyBudget) {
      yield chunkOf(current, unitTokens);
      current = [];
      tokens = 0;
      unitTokens = 0;
    }
    tokens += current.length > 0 ? unit.tokens + 1 : unit.tokens;
    unitTokens += unit.tokens;
    current.push(unit);
    const strength = fnv1a(text, unit.start, unit.end) / 0x1_0000_0000;
    if (tokens >= minTokens && strength < unit.tokens / spread) {
      yield chunkOf(current, unitTokens);
      current = [];
      tokens = 0;
      unitTokens = 0;
    }
  }
  if (current.length > 0) yield chunkOf(current, unitTokens);
}

/**
 * The most chunks `cutChunks` can make of a text of `utf8Bytes` bytes, with any tokenizer whose
 * tokens each take at least one byte (a BPE's, and the four-characters estimate's): every chunk
 * but the last closes holding at least half its body budget, separators counted as a token
 * each between units of at least a token, so at least (half + 1) / 2 tokens of its own, over
 * text no other chunk's body holds. It lets a brief start map calls before the document is
 * cut to the end (src/briefs/submit.ts), knowing that MAX_CHUNKS_PER_BRIEF will hold.
 */
export function maxChunksOf(utf8Bytes: number, options: Omit<ChunkOptions, 'countTokens'>): number {
  const overlap = Math.min(options.overlapTokens, Math.floor(options.maxTokens / 4));
  const minTokens = Math.floor((options.maxTokens - overlap) / 2);
  return 1 + Math.floor(utf8Bytes / Math.max(1, Math.ceil((minTokens + 1) / 2)));
}

function* concat<T>(first: T[], rest: Iterable<T>): Generator<T> {
  yield* first;
  yield* rest;
}

/**
 * Where the overlap taken from the end of the previous chunk begins, and its tokens: whole units
 * when they fit, else a word boundary.
 */
function overlapStart(
  text: string,
  previous: Unit[],
  overlapTokens: number,
  countTokens: (s: string) => number,
): { start: number; tokens: number } | null {
  const end = previous[previous.length - 1]!.end;
  if (overlapTokens <= 0) return null;
  // The longest run of whole units at the end that fits, measured on the slice itself,
  // separators included, so the budget holds exactly. k = 0 is the last unit alone.
  const counts: number[] = [];
  const withUnits = (k: number) =>
    (counts[k] ??= countTokens(text.slice(previous[previous.length - 1 - k]!.start, end)));
  const fit = firstTrue(previous.length, (k) => withUnits(k) > overlapTokens);
  if (fit > 0) return { start: previous[previous.length - fit]!.start, tokens: withUnits(fit - 1) };

  // The last unit alone is too long: take its tail, starting at a word.
  const last = previous[previous.length - 1]!;
  let from = Math.max(last.start, end - overlapTokens * 4);
  while (from > last.start && from < end && !/\s/.test(text[from - 1]!)) from++;
  // Candidates from the longest tail: `from`, then just after each next space.
  const starts = [from];
  while (from < end) {
    const space = text.indexOf(' ', from + 1);
    from = space === -1 || space >= end ? end : space + 1;
    starts.push(from);
  }
  const tails: number[] = [];
  const tail = (k: number) => (tails[k] ??= countTokens(text.slice(starts[k]!, end)));
  const k = firstTrue(starts.length, (k) => starts[k]! >= end || tail(k) <= overlapTokens);
  return { start: starts[k]!, tokens: starts[k]! >= end ? 0 : tail(k) };
}

/**
 * The first of `n` candidates that passes `test`, for a test that fails for every candidate
 * before that one and passes for every one after (or `n` when none passes). Gallops from the
 * first candidate (1, 2, 4… ahead), then bisects: O(log k) tests, one when the first passes.
 */
function firstTrue(n: number, test: (k: number) => boolean): number {
  let failed = -1; // the last candidate known to fail
  let passed = n; // the first candidate known to pass
  for (let k = 0, step = 1; k < n; k = failed + step, step *= 2) {
    if (test(k)) {
      passed = k;
      break;
    }
    failed = k;
  }
  while (passed - failed > 1) {
    const middle = (failed + passed) >>> 1;
    if (test(middle)) passed = middle;
    else failed = middle;
  }
  return passed;
}

/** Paragraphs, split further into sentences or word runs where one exceeds `maxUnitTokens`. */
function* splitUnits(
  text: string,
  maxUnitTokens: number,
  countTokens: (s: string) => number,
): Generator<Unit> {
  const paragraph = /[^\n]+(?:\n(?!\n)[^\n]*)*/g;
  for (const match of text.matchAll(paragraph)) {
    const start = match.index;
    const end = start + match[0].length;
    const tokens = countTokens(match[0]);
    if (tokens <= maxUnitTokens) {
      yield { start, end, tokens };
      continue;
    }
    for (const sentence of sentences(text, start, end)) {
      const sentenceTokens = countTokens(text.slice(sentence.start, sentence.end));
      if (sentenceTokens <= maxUnitTokens) yield { ...sentence, tokens: sentenceTokens };
      else yield* wordRuns(text, sentence.start, sentence.end, maxUnitTokens, countTokens);
    }
  }
}

// On Node 20 Intl.Segmenter is super-linear in the length of what it segments: one paragraph of
// 100,000 one-character lines took 35 s, 200 KB of short sentences 9 s (issue 17). So it reads a
// paragraph in windows of at most SEGMENT_WINDOW characters, each cut after a sentence end or a
// line break in its second half (at the window's end only when there is none).
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const SEGMENT_WINDOW = 4_000;
/** A character after which a sentence may end within a line: a full stop or other terminator, or a paragraph separator other than `\n`. */
const SENTENCE_END = /[\p{Sentence_Terminal}\r\u0085\u2028\u2029]/u;

function sentences(text: string, start: number, end: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let from = start; from < end; ) {
    let to = Math.min(end, from + SEGMENT_WINDOW);
    if (to < end) to = lastBreak(text, from + SEGMENT_WINDOW / 2, to) ?? to;
    // A sentence always ends after a line break (UAX #29, rule SB4) and no rule looks across one,
    // so the window's lines are segmented one by one, each as the whole window would be, and a
    // line with no sentence end in it is one sentence without asking the segmenter: a segmenter
    // pass costs per sentence, and more the longer its input (100,000 short lines: 1.4 s).
    for (let line = from; line < to; ) {
      const newline = text.indexOf('\n', line);
      const lineEnd = newline === -1 || newline >= to ? to : newline + 1;
      const slice = text.slice(line, lineEnd);
      if (!SENTENCE_END.test(slice)) out.push({ start: line, end: lineEnd });
      else {
        for (const segment of segmenter.segment(slice)) {
          const at = line + segment.index;
          out.push({ start: at, end: at + segment.segment.length });
        }
      }
      line = lineEnd;
    }
    from = to;
  }
  return out;
}

/** Just after the last line break, or sentence end followed by a space, in [floor, to). */
function lastBreak(text: string, floor: number, to: number): number | undefined {
  for (let i = to - 1; i > floor; i--) {
    const ch = text[i];
    if (ch === '\n') return i + 1;
    if (ch === ' ' && /[.!?]/.test(text[i - 1]!)) return i + 1;
  }
  return undefined;
}

/**
 * A sentence over the budget, in runs of words. Each run is cut at the first candidate end that
 * fits: a character estimate (three a token), then just after each space before it, nearest
 * first, then halves of what is left when no space is left; and, unless it reached the
 * sentence's end, moved back to the space before.
 */
function wordRuns(
  text: string,
  start: number,
  end: number,
  maxUnitTokens: number,
  countTokens: (s: string) => number,
): Unit[] {
  const out: Unit[] = [];
  let from = start;
  while (from < end) {
    const ends = [Math.min(end, from + maxUnitTokens * 3)];
    for (let space = text.lastIndexOf(' ', ends[0]! - 2); space > from; ) {
      ends.push(space + 1);
      space = text.lastIndexOf(' ', space - 1);
    }
    for (let to = ends[ends.length - 1]!; to - from > 1; ) {
      to = from + Math.max(1, Math.floor((to - from) / 2));
      ends.push(to);
    }
    const counts: number[] = [];
    const tokensTo = (k: number) => (counts[k] ??= countTokens(text.slice(from, ends[k]!)));
    const k = firstTrue(ends.length, (k) => tokensTo(k) <= maxUnitTokens || ends[k]! - from <= 1);
    let to = ends[k]!;
    let tokens = tokensTo(k);
    if (to < end) {
      const space = text.lastIndexOf(' ', to - 2);
      if (space > from) {
        to = space + 1;
        tokens = countTokens(text.slice(from, to));
      }
    }
    out.push({ start: from, end: to, tokens });
    from = to;
  }
  return out;
}

/** FNV-1a over a slice of the text: a fast, stable hash for boundary decisions. */
function fnv1a(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
