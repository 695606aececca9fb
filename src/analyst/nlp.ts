import winkNLP, { type ItemSentence } from 'wink-nlp';
import { capLength, longRuns, standIn } from './bounds.js';
import { opensQuotation } from './quotation.js';
import { trimSpan } from './scan.js';
import loadWinkModel from './wink-model.cjs';

/**
 * Sentences and tokens of one chunk, with character offsets into the chunk text.
 *
 * wink-nlp is lossless (every token keeps its preceding whitespace), so offsets are rebuilt by
 * summing token and whitespace lengths; a quote sliced with them is verbatim by construction.
 * The pipeline is trimmed to tokens, stop words and sentence boundaries: part-of-speech tags
 * were tried and dropped (capitalisation and the cue lists carry what the analyst needs, at
 * half the cost), and the lite model's entity recogniser finds only numbers and dates, which
 * a pattern does as well.
 */
export interface Token {
  value: string;
  lower: string;
  start: number;
  end: number;
  stop: boolean;
  /** A run of more than MAX_TOKEN_CHARS characters without a space (bounds.ts): no term. */
  opaque?: true;
}

export interface Sentence {
  index: number;
  /** Offsets of the trimmed sentence in the chunk text. */
  start: number;
  end: number;
  text: string;
  /** Token range [tokenStart, tokenEnd). */
  tokenStart: number;
  tokenEnd: number;
  paragraph: number;
  /** Section number (headings start sections) and the sentence's place in it. */
  section: number;
  inSection: number;
  heading: boolean;
  /** Holds an opaque token: never quoted as a summary or a key point. */
  opaque?: true;
  /** Count of word tokens. */
  words: number;
  /** Lower-cased content words: no stop words, punctuation or bare numbers. */
  terms: string[];
}

export interface Analysis {
  text: string;
  tokens: Token[];
  sentences: Sentence[];
}

type Nlp = ReturnType<typeof winkNLP>;
let nlp: Nlp | undefined;

/**
 * The wink instance is built once per process (it is pure data, safe to share), on first use:
 * the model is loaded then too, not at import (wink-model.cjs).
 */
function instance(): Nlp {
  nlp ??= winkNLP(loadWinkModel(), ['sbd']);
  return nlp;
}

const WORD = /[\p{L}\p{N}]/u;
const LIST_START = /^(#|[-*+>] |\d{1,3}[.)] |\(\w{1,4}\) )/;

export function analyse(text: string): Analysis {
  const nlp = instance();
  const its = nlp.its;
  const runs = longRuns(text);
  const doc = nlp.readDoc(runs.length === 0 ? text : standIn(text, runs));
  const values = doc.tokens().out(its.value) as string[];
  const spaces = doc.tokens().out(its.precedingSpaces) as string[];
  const stops = doc.tokens().out(its.stopWordFlag) as unknown as boolean[];
  const tokens: Token[] = new Array(values.length);
  // Offsets in the text wink-nlp read; `shift` adds what the stand-ins before them left out.
  let offset = 0;
  let shift = 0;
  let run = 0;
  for (let i = 0; i < values.length; i++) {
    offset += spaces[i]!.length;
    let value = values[i]!;
    const start = offset + shift;
    offset += value.length;
    let opaque = false;
    for (; run < runs.length && runs[run]!.at < offset; run++) {
      shift += runs[run]!.length - 1;
      opaque = true;
    }
    if (opaque) value = text.slice(start, offset + shift);
    const token: Token = {
      value,
      lower: value.toLowerCase(),
      start,
      end: offset + shift,
      stop: stops[i]!,
    };
    if (opaque) {
      token.stop = false;
      token.opaque = true;
    }
    tokens[i] = token;
  }
  const spans: Array<[number, number]> = [];
  doc.sentences().each((sentence: ItemSentence) => {
    const [first, last] = sentence.out(its.span) as unknown as [number, number];
    const start = tokens[first]?.start ?? 0;
    const end = tokens[last]?.end ?? start;
    for (const piece of splitLines(text, start, end)) spans.push(piece);
  });
  const sentences = capLength(text, joinOpenQuotes(text, spans));
  return { text, tokens, sentences: buildSentences(text, tokens, sentences) };
}

/** Cuts a wink sentence at blank lines and at line starts that open a heading or list item. */
function splitLines(text: string, start: number, end: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let pieceStart = start;
  let lineStart = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    const nextLine = text.slice(i + 1, Math.min(end, i + 8));
    const blank = text.charCodeAt(i + 1) === 10;
    const cut =
      blank ||
      LIST_START.test(nextLine) ||
      text.charCodeAt(lineStart) === 35 || // '#'
      isLabelLine(text.slice(lineStart, i), nextLine);
    if (cut) {
      out.push([pieceStart, i]);
      pieceStart = i + 1;
    }
    lineStart = i + 1;
  }
  out.push([pieceStart, end]);
  return out
    .map(([s, e]) => trimSpan(text, s, e))
    .filter(([s, e]) => e > s && WORD.test(text.slice(s, e)));
}

/**
 * A short line without final punctuation followed by a line that opens a sentence is a heading
 * (a PDF's "Budget note: school meals expansion" above "The Treasury proposes…"), not the start
 * of that sentence. A wrapped line of running text ends mid-sentence in lower case, or is long.
 */
function isLabelLine(line: string, next: string): boolean {
  const trimmed = line.trim();
  if (!trimmed || /[.!?:;,"”’)\-–—]$/.test(trimmed)) return false;
  const words = trimmed.split(/\s+/).length;
  if (words > 10) return false;
  return /^(?:The|This|These|In|On|A|An|It|We|Our|Its|There|For|As|Under|Since|While|When)\s/.test(
    next,
  );
}

/**
 * "(R-N.Y.) has said", "U.S. officials": a cut after a single capital's full stop when the
 * next piece goes on with another initial or a lower-case word is inside an abbreviation.
 */
function inAbbreviation(text: string, end: number, next: number): boolean {
  return (
    /(?:^|[\s(.-])\p{Lu}\.$/u.test(text.slice(Math.max(0, end - 3), end)) &&
    /^(?:\p{Lu}\.|\p{Ll})/u.test(text.slice(next, next + 2))
  );
}

/**
 * Joins sentences the splitter cut inside a quotation ("He said: "This is wrong. It must stop."")
 * so a sentence never opens or closes a quotation it does not hold, or inside an abbreviation.
 * Only within a paragraph, and at most four sentences are joined.
 */
function joinOpenQuotes(text: string, spans: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let joined = 0;
  for (const span of spans) {
    const last = out.at(-1);
    const between = last ? text.slice(last[1], span[0]) : '';
    const cut =
      last &&
      !between.includes('\n\n') &&
      (opensQuotation(text.slice(...last)) || inAbbreviation(text, last[1], span[0]));
    if (last && joined < 4 && cut) {
      last[1] = span[1];
      joined++;
      continue;
    }
    out.push([span[0], span[1]]);
    joined = 0;
  }
  return out;
}

function buildSentences(text: string, tokens: Token[], spans: Array<[number, number]>): Sentence[] {
  const sentences: Sentence[] = [];
  let t = 0;
  let paragraph = 0;
  // The next blank line, found once: searching again from each sentence read to the end of a
  // text without one, once per sentence.
  let blank = text.indexOf('\n\n');
  let section = 0;
  let inSection = 0;
  for (const [start, end] of spans) {
    for (; blank !== -1 && blank < start; blank = text.indexOf('\n\n', blank + 2)) paragraph++;
    while (t < tokens.length && tokens[t]!.start < start) t++;
    const tokenStart = t;
    while (t < tokens.length && tokens[t]!.end <= end) t++;
    const sentenceText = text.slice(start, end);
    let words = 0;
    let opaque = false;
    const terms: string[] = [];
    for (let k = tokenStart; k < t; k++) {
      const token = tokens[k]!;
      if (token.opaque) opaque = true;
      if (!WORD.test(token.value)) continue;
      words++;
      if (!token.stop && !token.opaque && /\p{L}/u.test(token.value) && token.value.length > 1)
        terms.push(token.lower);
    }
    const heading = isHeading(sentenceText, words);
    if (heading) {
      section++;
      inSection = 0;
    }
    const sentence: Sentence = {
      index: sentences.length,
      start,
      end,
      text: sentenceText,
      tokenStart,
      tokenEnd: t,
      paragraph,
      section,
      inSection: heading ? -1 : inSection++,
      heading,
      words,
      terms,
    };
    if (opaque) sentence.opaque = true;
    sentences.push(sentence);
  }
  return sentences;
}

/** Markdown headings, short unpunctuated lines, upper-case lines and numbered section labels. */
export function isHeading(text: string, words: number): boolean {
  if (text.startsWith('#')) return true;
  const letters = text.replace(/[^\p{L}]/gu, '');
  const upper = letters.replace(/[^\p{Lu}]/gu, '');
  if (words <= 20 && letters.length >= 4 && upper.length / letters.length > 0.7) return true;
  if (words > 14 || text.includes('\n')) return false;
  if (/^(SECTION|SEC\.|ARTICLE|PART|CHAPTER|TITLE)\s/i.test(text) && words <= 10) return true;
  if (words <= 10 && !/[.!?:;"”’)]$/.test(text)) return true;
  // "(a) All-Volunteer Force Educational Assistance Program.--", "Award Size Limit.": a title
  // in title case, run in before its text.
  const long = text.match(/\p{L}[\p{L}'’-]{3,}/gu) ?? [];
  return long.length >= 3 && long.every((w) => /^\p{Lu}/u.test(w));
}
