import type { Brief, Citation, ModelBrief } from '../briefs/schema.js';
import { isSpace } from '../lib/chars.js';

/** Quotes shorter than this (after normalization) prove nothing and are never marked verified. */
export const MIN_VERIFIABLE_QUOTE = 8;

/**
 * Locates quotes in the normalized document: first exactly, then ignoring differences of
 * whitespace, quote marks, dashes and case. The loose view of the source is built once per
 * brief, with a map from each loose character back to its offset in the source. A brief's
 * quotes are looked for together (`locateAll`): one pass over the text finds all of them,
 * where a search per quote read a 1 MB document a thousand times for a brief of 500 quotes.
 */
export class QuoteLocator {
  /** Built on the first quote that is not found exactly. */
  private loose: { text: string; offsets: ArrayLike<number> } | undefined;

  constructor(private readonly source: string) {}

  locate(quote: string): Citation {
    return this.locateAll([quote])[0]!;
  }

  /** `locate` for each quote, in order: the same citations, found in one pass over the text (two when some are found only loosely). */
  locateAll(quotes: readonly string[]): Citation[] {
    const citations = quotes.map(
      (quote): Citation => ({ quote, start: null, end: null, verified: false }),
    );
    const trimmed = quotes.map((quote) => quote.trim());
    const needles = trimmed.map((quote) => loosen(quote).text);
    const verifiable = [...quotes.keys()].filter((i) => needles[i]!.length >= MIN_VERIFIABLE_QUOTE);
    const exact = firstOccurrences(
      this.source,
      verifiable.map((i) => trimmed[i]!),
    );
    const missing: number[] = [];
    verifiable.forEach((i, k) => {
      const start = exact[k]!;
      if (start === -1) missing.push(i);
      else
        citations[i] = {
          quote: quotes[i]!,
          start,
          end: start + trimmed[i]!.length,
          verified: true,
        };
    });
    if (missing.length === 0) return citations;
    this.loose ??= loosen(this.source);
    const { text, offsets } = this.loose;
    const loose = firstOccurrences(
      text,
      missing.map((i) => needles[i]!),
    );
    missing.forEach((i, k) => {
      const at = loose[k]!;
      if (at === -1) return;
      const end = offsets[at + needles[i]!.length - 1]! + 1;
      citations[i] = { quote: quotes[i]!, start: offsets[at]!, end, verified: true };
    });
    return citations;
  }
}

/**
 * Where each needle first occurs in `text`, or -1: `text.indexOf(needle)` for each, at a cost
 * bounded however many needles there are. The engine's own search reads a megabyte in a fraction
 * of a millisecond, many times faster than a loop over the text in JavaScript, so it is used
 * for needles one by one while what it has read stays under SEARCH_BUDGET texts' length (a
 * needle not found costs the whole text); more needles than that left are found in one pass.
 */
export function firstOccurrences(text: string, needles: readonly string[]): number[] {
  const at = new Map<string, number>();
  const distinct = [...new Set(needles)];
  let budget = SEARCH_BUDGET * text.length;
  let searched = 0;
  // Past the budget, the needles left are searched one by one still when they are few.
  for (; searched < distinct.length; searched++) {
    if (budget < 0 && distinct.length - searched > SEARCH_BUDGET) break;
    const needle = distinct[searched]!;
    const found = text.indexOf(needle);
    at.set(needle, found);
    budget -= found === -1 ? text.length : found + needle.length;
  }
  const rest = distinct.slice(searched);
  if (rest.length > 0) {
    const found = onePass(text, rest);
    for (let k = 0; k < rest.length; k++) at.set(rest[k]!, found[k]!);
  }
  return needles.map((needle) => at.get(needle)!);
}

/**
 * `firstOccurrences` in one pass over the text for all needles: a rolling hash of every window
 * of `width` characters (the shortest needle's length, at most 32) is looked up among the hashes
 * of the needles' first `width` characters, and a window that hashes like one is compared with
 * it in full. Positions are visited in order, so a needle's first match is its first occurrence.
 */
function onePass(text: string, needles: readonly string[]): number[] {
  const found = needles.map(() => -1);
  const width = Math.min(MAX_WIDTH, ...needles.map((needle) => needle.length));
  if (width === 0) return needles.map((needle) => text.indexOf(needle));
  const byHash = new Map<number, number[]>();
  const seen = new Uint8Array(FILTER_SIZE);
  for (let k = 0; k < needles.length; k++) {
    const needle = needles[k]!;
    let hash = 0;
    for (let i = 0; i < width; i++) hash = (Math.imul(hash, BASE) + needle.charCodeAt(i)) | 0;
    const same = byHash.get(hash);
    if (same) same.push(k);
    else byHash.set(hash, [k]);
    seen[(hash ^ (hash >>> 16)) & FILTER_MASK] = 1;
  }
  // BASE ** width, the weight of the character that leaves the window.
  let outWeight = 1;
  for (let i = 0; i < width; i++) outWeight = Math.imul(outWeight, BASE);
  let pending = needles.length;
  let hash = 0;
  for (let i = 0; i < text.length; i++) {
    hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
    if (i >= width) hash = (hash - Math.imul(text.charCodeAt(i - width), outWeight)) | 0;
    if (i < width - 1 || seen[(hash ^ (hash >>> 16)) & FILTER_MASK] === 0) continue;
    const candidates = byHash.get(hash);
    if (!candidates) continue;
    const at = i + 1 - width;
    for (let c = candidates.length - 1; c >= 0; c--) {
      const k = candidates[c]!;
      if (!text.startsWith(needles[k]!, at)) continue;
      found[k] = at;
      candidates.splice(c, 1);
      pending--;
    }
    if (candidates.length === 0) byHash.delete(hash);
    if (pending === 0) break;
  }
  return found;
}

/** About what one pass of `onePass` costs, in searches of the whole text by `indexOf`. */
const SEARCH_BUDGET = 16;
const MAX_WIDTH = 32;
const BASE = 0x01000193;
const FILTER_SIZE = 1 << 16;
const FILTER_MASK = FILTER_SIZE - 1;

/**
 * Lower-cased, one space for any whitespace run, straight quotes and hyphens; with offsets back.
 * One pass over char codes into typed arrays (a 7 MB document: ~0.2 s; a string and an offset
 * pushed per character took 2.1 s, all of it holding the event loop). When lower-casing changes
 * the text's length (a rare letter such as 'İ'), each character is folded on its own instead.
 */
export function loosen(source: string): { text: string; offsets: ArrayLike<number> } {
  const lower = source.toLowerCase();
  if (lower.length !== source.length) return loosenEach(source);
  const codes = new Uint16Array(lower.length);
  const offsets = new Int32Array(lower.length);
  let n = 0;
  let lastWasSpace = true; // drops leading whitespace
  for (let i = 0; i < lower.length; i++) {
    let code = lower.charCodeAt(i);
    if (code > 32 && code < 0x7f) {
      // Printable ASCII, most of any text: only the backtick folds.
      lastWasSpace = false;
      if (code === 0x60) code = 0x27;
    } else if (isSpace(code)) {
      if (lastWasSpace) continue;
      code = 32;
      lastWasSpace = true;
    } else {
      lastWasSpace = false;
      code = FOLD_CODES.get(code) ?? code;
      // Lower-casing a whole string gives a word-final capital sigma 'ς'; one character at a
      // time (and so a quote's own loose form) gives 'σ'.
      if (code === 0x3c2 && source.charCodeAt(i) === 0x3a3) code = 0x3c3;
    }
    codes[n] = code;
    offsets[n++] = i;
  }
  if (n > 0 && codes[n - 1] === 32) n--;
  // UTF-16 code units back to a string in one call (String.fromCharCode over slices took 0.9 s
  // for 7 MB); a lone surrogate becomes U+FFFD, still one unit, so offsets stay in step.
  const text = UTF16.decode(codes.subarray(0, n));
  return { text, offsets: offsets.subarray(0, n) };
}

/** `loosen` one character at a time, for text whose lower-case form has another length. */
export function loosenEach(source: string): { text: string; offsets: number[] } {
  const parts: string[] = [];
  const offsets: number[] = [];
  let lastWasSpace = true;
  for (let i = 0; i < source.length; i++) {
    let ch = source[i]!;
    if (WHITESPACE.test(ch)) {
      if (lastWasSpace) continue;
      ch = ' ';
      lastWasSpace = true;
    } else {
      lastWasSpace = false;
      ch = FOLD[ch] ?? ch.toLowerCase();
    }
    // toLowerCase can lengthen a character (e.g. 'İ'); every produced unit maps to its source.
    for (let k = 0; k < ch.length; k++) offsets.push(i);
    parts.push(ch);
  }
  if (parts.at(-1) === ' ') {
    parts.pop();
    offsets.pop();
  }
  return { text: parts.join(''), offsets };
}

const WHITESPACE = /\s/;
// Typed arrays use the platform's byte order, little-endian on every platform Node and Workers run on.
const UTF16 = new TextDecoder('utf-16le');
const FOLD: Record<string, string> = Object.fromEntries([
  ...[...'\u2018\u2019\u201A\u201B\u2032`'].map((c) => [c, "'"]),
  ...[...'\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB'].map((c) => [c, '"']),
  ...[...'\u2010\u2011\u2012\u2013\u2014\u2015\u2212'].map((c) => [c, '-']),
]);
const FOLD_CODES = new Map(
  Object.entries(FOLD).map(([from, to]) => [from.charCodeAt(0), to.charCodeAt(0)]),
);

/**
 * Size caps on model output, which is untrusted: a runaway or hostile answer cannot make a brief
 * unboundedly large. Generous for any honest brief; longer text is cut with an ellipsis.
 */
export const OUTPUT_CAPS = {
  shortText: 500,
  text: 4_000,
  summary: 20_000,
  quote: 2_000,
  items: 50,
  citations: 10,
} as const;

/** The verify stage: caps the model's output, then fills every citation's offsets and `verified` from the source. */
export function verifyBrief(brief: ModelBrief, source: string): Brief {
  const cap = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max - 1)}…` : text;
  const { shortText, text, items } = OUTPUT_CAPS;
  const keyPoints = brief.keyPoints.slice(0, items);
  const notes = brief.counterPerspectives.slice(0, items);
  // All the brief's quotes are located together, then handed back in the same order.
  const quotesOf = (item: { citations: { quote: string }[] }) =>
    item.citations.slice(0, OUTPUT_CAPS.citations).map((c) => cap(c.quote, OUTPUT_CAPS.quote));
  const located = new QuoteLocator(source).locateAll([...keyPoints, ...notes].flatMap(quotesOf));
  let next = 0;
  const cite = (item: { citations: { quote: string }[] }) =>
    quotesOf(item).map(() => located[next++]!);
  const points = keyPoints.map((point) => ({
    text: cap(point.text, text),
    citations: cite(point),
  }));
  const counterPerspectives = notes.map((note) => ({
    kind: note.kind,
    claim: cap(note.claim, text),
    perspective: cap(note.perspective, text),
    note: cap(note.note, text),
    citations: cite(note),
  }));
  return {
    headline: cap(brief.headline, shortText),
    summary: cap(brief.summary, OUTPUT_CAPS.summary),
    keyPoints: points,
    stakeholders: brief.stakeholders
      .slice(0, items)
      .map((s) => ({ ...s, name: cap(s.name, shortText), role: cap(s.role, shortText) })),
    counterPerspectives,
  };
}
