import type { Chunk, ChunkOptions } from '../../src/pipeline/chunk.js';

/**
 * src/pipeline/chunk.ts as it was before issue 14, kept unchanged to hold today's chunker to
 * the cuts it made (test/chunk.test.ts): cached LLM calls are keyed by chunk text, so a brief
 * of a document briefed before must cut it where it was cut then. This one tried every
 * candidate cut one after another and counted each chunk's text again; the chunker now finds
 * the same cuts with fewer counts. Its `tokens` is not compared: it was a recount of the text.
 */
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
 */
export function chunkTextBefore14(text: string, options: ChunkOptions): Chunk[] {
  const overlap = Math.min(options.overlapTokens, Math.floor(options.maxTokens / 4));
  const bodyBudget = options.maxTokens - overlap;
  const units = splitUnits(text, Math.max(1, Math.floor(bodyBudget / 4)), options.countTokens);
  const total = units.reduce((sum, unit) => sum + unit.tokens, 0);
  if (total + units.length - 1 <= options.maxTokens) {
    return [{ index: 0, start: 0, end: text.length, bodyStart: 0, text, tokens: total }];
  }

  const minTokens = Math.floor(bodyBudget / 2);
  // On average about two boundary candidates fall between the minimum and the budget.
  const spread = Math.max(1, (bodyBudget - minTokens) / 2);
  const groups: Unit[][] = [];
  let current: Unit[] = [];
  let tokens = 0;
  for (const unit of units) {
    // One token of allowance for the separator before every unit but a chunk's first.
    if (current.length > 0 && tokens + 1 + unit.tokens > bodyBudget) {
      groups.push(current);
      current = [];
      tokens = 0;
    }
    tokens += current.length > 0 ? unit.tokens + 1 : unit.tokens;
    current.push(unit);
    const strength = fnv1a(text, unit.start, unit.end) / 0x1_0000_0000;
    if (tokens >= minTokens && strength < unit.tokens / spread) {
      groups.push(current);
      current = [];
      tokens = 0;
    }
  }
  if (current.length > 0) groups.push(current);

  return groups.map((group, index) => {
    const bodyStart = group[0]!.start;
    const end = group[group.length - 1]!.end;
    const start =
      index === 0
        ? bodyStart
        : (overlapStart(text, groups[index - 1]!, overlap, options.countTokens) ?? bodyStart);
    const slice = text.slice(start, end);
    return { index, start, end, bodyStart, text: slice, tokens: options.countTokens(slice) };
  });
}

/** Where the overlap taken from the end of the previous chunk begins: whole units when they fit, else a word boundary. */
function overlapStart(
  text: string,
  previous: Unit[],
  overlapTokens: number,
  countTokens: (s: string) => number,
): number | null {
  const end = previous[previous.length - 1]!.end;
  if (overlapTokens <= 0) return null;
  let start = end;
  for (let i = previous.length - 1; i >= 0; i--) {
    const unit = previous[i]!;
    // Measured on the slice itself, separators included, so the budget holds exactly.
    if (countTokens(text.slice(unit.start, end)) > overlapTokens) break;
    start = unit.start;
  }
  if (start < end) return start;
  // The last unit alone is too long: take its tail, starting at a word.
  const last = previous[previous.length - 1]!;
  let from = Math.max(last.start, end - overlapTokens * 4);
  while (from > last.start && from < end && !/\s/.test(text[from - 1]!)) from++;
  while (from < end && countTokens(text.slice(from, end)) > overlapTokens) {
    const space = text.indexOf(' ', from + 1);
    from = space === -1 || space >= end ? end : space + 1;
  }
  return from;
}

/** Paragraphs, split further into sentences or word runs where one exceeds `maxUnitTokens`. */
function splitUnits(
  text: string,
  maxUnitTokens: number,
  countTokens: (s: string) => number,
): Unit[] {
  const units: Unit[] = [];
  const paragraph = /[^\n]+(?:\n(?!\n)[^\n]*)*/g;
  for (const match of text.matchAll(paragraph)) {
    const start = match.index;
    const end = start + match[0].length;
    const tokens = countTokens(match[0]);
    if (tokens <= maxUnitTokens) {
      units.push({ start, end, tokens });
      continue;
    }
    for (const sentence of sentences(text, start, end)) {
      const sentenceTokens = countTokens(text.slice(sentence.start, sentence.end));
      if (sentenceTokens <= maxUnitTokens) units.push({ ...sentence, tokens: sentenceTokens });
      else units.push(...wordRuns(text, sentence.start, sentence.end, maxUnitTokens, countTokens));
    }
  }
  return units;
}

// On Node 20 Intl.Segmenter is super-linear in the length of what it segments: one paragraph of
// 100,000 one-character lines took 35 s, 200 KB of short sentences 9 s (issue 17). So it reads a
// paragraph in windows of at most SEGMENT_WINDOW characters, each cut after a sentence end or a
// line break in its second half (at the window's end only when there is none).
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const SEGMENT_WINDOW = 4_000;

function sentences(text: string, start: number, end: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let from = start; from < end; ) {
    let to = Math.min(end, from + SEGMENT_WINDOW);
    if (to < end) to = lastBreak(text, from + SEGMENT_WINDOW / 2, to) ?? to;
    for (const segment of segmenter.segment(text.slice(from, to))) {
      out.push({ start: from + segment.index, end: from + segment.index + segment.segment.length });
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
    // Start from a character estimate, then shrink to the budget at a space.
    let to = Math.min(end, from + maxUnitTokens * 3);
    let tokens = countTokens(text.slice(from, to));
    while (tokens > maxUnitTokens && to - from > 1) {
      const space = text.lastIndexOf(' ', to - 2);
      to = space > from ? space + 1 : from + Math.max(1, Math.floor((to - from) / 2));
      tokens = countTokens(text.slice(from, to));
    }
    if (to < end) {
      const space = text.lastIndexOf(' ', to - 2);
      if (space > from) to = space + 1;
      tokens = countTokens(text.slice(from, to));
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
