import type { Brief, Citation, ModelBrief } from '../briefs/schema.js';

/** Quotes shorter than this (after normalization) prove nothing and are never marked verified. */
export const MIN_VERIFIABLE_QUOTE = 8;

/**
 * Locates quotes in the normalized document: first exactly, then ignoring differences of
 * whitespace, quote marks, dashes and case. The loose view of the source is built once per
 * brief, with a map from each loose character back to its offset in the source.
 */
export class QuoteLocator {
  /** Built on the first quote that is not found exactly. */
  private loose: { text: string; offsets: number[] } | undefined;

  constructor(private readonly source: string) {}

  locate(quote: string): Citation {
    const trimmed = quote.trim();
    const unverified: Citation = { quote, start: null, end: null, verified: false };
    const needle = loosen(trimmed).text;
    if (needle.length < MIN_VERIFIABLE_QUOTE) return unverified;
    const exact = this.source.indexOf(trimmed);
    if (exact !== -1) return { quote, start: exact, end: exact + trimmed.length, verified: true };
    this.loose ??= loosen(this.source);
    const at = this.loose.text.indexOf(needle);
    if (at === -1) return unverified;
    const start = this.loose.offsets[at]!;
    const end = this.loose.offsets[at + needle.length - 1]! + 1;
    return { quote, start, end, verified: true };
  }
}

/** Lower-cased, one space for any whitespace run, straight quotes and hyphens; with offsets back. */
function loosen(source: string): { text: string; offsets: number[] } {
  const parts: string[] = [];
  const offsets: number[] = [];
  let lastWasSpace = true; // drops leading whitespace
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
const FOLD: Record<string, string> = Object.fromEntries([
  ...[...'\u2018\u2019\u201A\u201B\u2032`'].map((c) => [c, "'"]),
  ...[...'\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB'].map((c) => [c, '"']),
  ...[...'\u2010\u2011\u2012\u2013\u2014\u2015\u2212'].map((c) => [c, '-']),
]);

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
  const locator = new QuoteLocator(source);
  const cap = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max - 1)}…` : text;
  const cite = (citations: { quote: string }[]) =>
    citations
      .slice(0, OUTPUT_CAPS.citations)
      .map((c) => locator.locate(cap(c.quote, OUTPUT_CAPS.quote)));
  const { shortText, text, items } = OUTPUT_CAPS;
  return {
    headline: cap(brief.headline, shortText),
    summary: cap(brief.summary, OUTPUT_CAPS.summary),
    keyPoints: brief.keyPoints
      .slice(0, items)
      .map((point) => ({ text: cap(point.text, text), citations: cite(point.citations) })),
    stakeholders: brief.stakeholders
      .slice(0, items)
      .map((s) => ({ ...s, name: cap(s.name, shortText), role: cap(s.role, shortText) })),
    counterPerspectives: brief.counterPerspectives.slice(0, items).map((note) => ({
      kind: note.kind,
      claim: cap(note.claim, text),
      perspective: cap(note.perspective, text),
      note: cap(note.note, text),
      citations: cite(note.citations),
    })),
  };
}
