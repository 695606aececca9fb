/**
 * Measures the offline analyst's counter-perspective notes against expert labels, and its
 * summaries against reference summaries: the figures issue 13 asks for ("What must be shown").
 *
 *   npm run eval:notes -- --basil ../shared/data/basil-dev.jsonl \
 *     --babe ../shared/data/babe-dev.jsonl --neutral ../shared/data/billsum-us-sample.jsonl \
 *     [--prompt brief@3] [--limit N] [--json out.json] [--examples N]
 *
 * Any subset of the three corpora may be given; `--limit` takes the first N records of each.
 * Every record is briefed through `POST /v1/briefs` of an in-process runtime (offline analyst,
 * a fresh temporary SQLite file, deleted at the end) with the chosen prompt, or the server's
 * default without `--prompt`. Prints one Markdown section per corpus to stdout — records,
 * words, notes by kind, the metrics beside their targets — and progress to stderr. `--json`
 * writes every figure (figures only, never corpus text). `--examples N` prints to stderr, for
 * reading, N notes of each kind that the labels count as wrong (BABE, BASIL `loaded_language`)
 * or that have no label (the other BASIL kinds, every note on the neutral bills).
 *
 * - BABE (sentences with an expert `biased` label and `biasedWords`): a sentence is predicted
 *   biased when its brief has a `loaded_language` note; precision, recall and F1 against
 *   `biased`. And the share of flagged terms that are among the experts' biased words: a term
 *   matches when one of its words (lower-cased runs of letters and digits, inner apostrophes
 *   kept) is one of the words of the sentence's `biasedWords`.
 * - BASIL (news articles with bias spans): the gold spans are the author's own lexical bias
 *   (`bias === 'lex' && !inQuote`). A `loaded_language` note is right when an occurrence of its
 *   flagged term lies wholly inside such a span; recall is the share of those spans that
 *   contain an occurrence of at least one flagged term. Notes per 1,000 words by kind.
 * - Neutral text (BillSum bills): judgement notes (`loaded_language`, `rhetorical_technique`,
 *   `disputed_claim`, `missing_context`) per 1,000 words, all notes per 1,000 words by kind,
 *   and ROUGE-1/2/L F1 × 100 (the repo's plain ROUGE) of the brief's own summary against the
 *   reference, beside LEAD (the document's first words) cut at the same length as the brief's
 *   summary, and both cut at the reference's length. Words are whitespace-separated.
 *
 * The flagged term of a `loaded_language` note. The analyst writes the term, as it appears in
 * the text, in double quotes in the claim ("The document uses the wording "X" (n times).") and
 * cites the clause around each use. So: the candidates are the double-quoted strings of the
 * claim, then of the note text; the flagged term is the first candidate found (case-insensitive,
 * as whole words) inside a verified citation, and its occurrences are every such match in the
 * verified citations — a citation that is exactly the term is that occurrence. A note with no
 * candidate found in a citation but a verified citation of at most 5 words takes that citation
 * as its term. Otherwise the note is "unlocated": counted wrong on BASIL and reported.
 *
 * Offsets. Citation offsets index the normalized text (`normalizeText` of what was posted: the
 * script checks every verified citation against it); BASIL span offsets index the raw
 * `document`. Normalization only deletes characters (spaces at line ends, extra blank lines,
 * `\r`…) or turns a space-like character into a plain space, so raw offsets are mapped by
 * walking both texts in step; each mapped span is checked against its own text (whitespace
 * runs compared as one space), and a span that fails is searched for nearest its mapped offset.
 *
 * The corpora are for measuring only (../shared/data/README.md): this script reads them by path
 * and writes figures; nothing derived from them belongs in the repository.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { normalizeText } from '../src/pipeline/normalize.js';
import { createNodeRuntime, type NodeRuntime } from '../src/runtime-node.js';
import { NOTE_KINDS } from '../src/briefs/schema.js';
import { firstWords, rouge } from '../src/compare/rouge.js';

const KINDS = NOTE_KINDS;
const JUDGEMENT_KINDS = new Set([
  'loaded_language',
  'rhetorical_technique',
  'disputed_claim',
  'missing_context',
]);
const PROGRESS_EVERY = 200;
/** The API's limit on a title; a few bill titles are longer, so they are cut at a word. */
const TITLE_MAX_CHARS = 500;
/** A verified citation this short, with no quoted term found in any citation, is the term. */
const TERM_CITATION_MAX_WORDS = 5;
const TERM_DEFINITION =
  "Flagged term: the first double-quoted string of the note's claim (then of its note text) " +
  'found, case-insensitive and as whole words, inside a verified citation; its occurrences are ' +
  'its matches in the verified citations (else a verified citation of ≤ 5 words is the term).';

interface Citation {
  quote: string;
  start: number | null;
  end: number | null;
  verified: boolean;
}

interface Note {
  kind: string;
  claim: string;
  perspective: string;
  note: string;
  citations: Citation[];
}

interface BriefAnswer {
  id: string;
  status: string;
  prompt: { ref: string };
  brief: { summary: string; counterPerspectives: Note[] } | null;
  error: { code: string; message: string } | null;
}

interface Span {
  start: number;
  end: number;
}

interface BabeRecord {
  id: string;
  text: string;
  biased: boolean;
  biasedWords: string[];
}

interface BasilRecord {
  id: string;
  title?: string;
  document: string;
  spans: Array<Span & { text: string; bias: string; inQuote: boolean }>;
}

interface BillRecord {
  id: string;
  title?: string;
  document: string;
  summary: string;
}

/** A figure beside its target: `atLeast`/`atMost`/`above` is the bound the value must meet. */
interface Metric {
  label: string;
  value: number;
  detail?: string;
  target?: { atLeast?: number; atMost?: number; above?: number };
}

interface CorpusReport {
  name: string;
  records: number;
  briefed: number;
  failed: number;
  words: number;
  notes: Record<string, number>;
  perThousandWords: Record<string, number>;
  metrics: Metric[];
  counts: Record<string, number>;
  footnotes: string[];
}

/** A note kept for reading with `--examples`; the text goes to stderr only. */
interface Example {
  record: string;
  kind: string;
  label: string;
  claim: string;
  quote: string;
}

function readJsonl<T>(path: string, limit: number | undefined): T[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.slice(0, limit ?? lines.length).map((line) => JSON.parse(line) as T);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Lower-cased words: runs of letters and digits, an inner apostrophe kept ("don't"). */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word, case-insensitive matches of `term` in text[start, end), as text offsets. */
function findTerm(term: string, text: string, start: number, end: number): Span[] {
  const pattern = escapeRegExp(term.trim()).replace(/\s+/g, '\\s+');
  const regex = new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?![\\p{L}\\p{N}])`, 'giu');
  const out: Span[] = [];
  for (const match of text.slice(start, end).matchAll(regex)) {
    out.push({ start: start + match.index, end: start + match.index + match[0].length });
  }
  return out;
}

function quotedStrings(text: string): string[] {
  const matches = [...text.matchAll(/["“]([^"“”]+)["”]/g)];
  return matches.map((match) => match[1]!.trim()).filter(Boolean);
}

/** See the doc comment: the note's flagged term and where it occurs in the normalized text. */
function flaggedTerm(note: Note, text: string): { term: string; occurrences: Span[] } {
  const cited = note.citations.filter(
    (citation): citation is Citation & Span =>
      citation.verified && citation.start !== null && citation.end !== null,
  );
  const candidates = [...quotedStrings(note.claim), ...quotedStrings(note.note)];
  for (const term of candidates) {
    const occurrences = cited.flatMap((citation) =>
      findTerm(term, text, citation.start, citation.end),
    );
    if (occurrences.length > 0) return { term, occurrences };
  }
  const short = cited.find((citation) => wordCount(citation.quote) <= TERM_CITATION_MAX_WORDS);
  if (short) return { term: short.quote, occurrences: [{ start: short.start, end: short.end }] };
  return { term: candidates[0] ?? '', occurrences: [] };
}

/**
 * For every raw offset (0…raw.length), the normalized offset it becomes. `normalizeText`
 * deletes characters or turns a space-like one into a plain space, so one walk suffices.
 */
function offsetMap(raw: string, text: string): Int32Array {
  const map = new Int32Array(raw.length + 1);
  let j = 0;
  for (let i = 0; i < raw.length; i++) {
    map[i] = j;
    const char = raw[i]!;
    const kept = char === text[j] || (char !== '\n' && /\s/.test(char) && text[j] === ' ');
    if (j < text.length && kept) j++;
  }
  map[raw.length] = j;
  return map;
}

const squash = (text: string) => text.normalize('NFC').replace(/\s+/g, ' ').trim();

/** A raw span in normalized offsets, and how it was found. */
function mapSpan(
  span: Span & { text: string },
  text: string,
  map: Int32Array,
): { span: Span | null; how: 'same' | 'mapped' | 'searched' | 'lost' } {
  const start = map[span.start]!;
  const end = map[span.end]!;
  if (squash(text.slice(start, end)) === squash(span.text)) {
    const same = start === span.start && end === span.end;
    return { span: { start, end }, how: same ? 'same' : 'mapped' };
  }
  const pattern = escapeRegExp(squash(span.text)).replace(/ /g, '\\s+');
  let best: Span | null = null;
  for (const match of text.matchAll(new RegExp(pattern, 'g'))) {
    const found = { start: match.index, end: match.index + match[0].length };
    if (!best || Math.abs(found.start - start) < Math.abs(best.start - start)) best = found;
  }
  return { span: best, how: best ? 'searched' : 'lost' };
}

const inside = (inner: Span, outer: Span) => inner.start >= outer.start && inner.end <= outer.end;

/** The runtime to brief through, the `--prompt` asked for, and the prompt refs that answered. */
interface Session {
  runtime: NodeRuntime;
  prompt: string | undefined;
  refs: Set<string>;
}

/** Briefs one text through the HTTP API; null (the reason on stderr) when it failed. */
async function brief(session: Session, text: string, title?: string): Promise<BriefAnswer | null> {
  const { runtime, prompt } = session;
  if (title && title.length > TITLE_MAX_CHARS) {
    title = title.slice(0, TITLE_MAX_CHARS + 1).replace(/\s+\S*$/, '');
  }
  const response = await runtime.app.request('/v1/briefs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, title, prompt }),
  });
  let answer = (await response.json()) as BriefAnswer;
  // 202: still running after the server's wait; follow the Location until it finishes.
  for (let polls = 0; response.status === 202 && answer.status === 'running'; polls++) {
    if (polls > 600) return null;
    await new Promise((resume) => setTimeout(resume, 500));
    const location = response.headers.get('location') ?? `/v1/briefs/${answer.id}`;
    answer = (await (await runtime.app.request(location)).json()) as BriefAnswer;
  }
  if (answer.status !== 'succeeded' || !answer.brief) {
    const reason = answer.error?.message ?? `HTTP ${response.status}`;
    process.stderr.write(`  brief failed: ${reason}\n`);
    return null;
  }
  session.refs.add(answer.prompt.ref);
  return answer;
}

/** Runs `work` over the records in order, with progress on stderr. */
async function eachRecord<T>(
  name: string,
  records: readonly T[],
  work: (record: T) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
  for (const [index, record] of records.entries()) {
    await work(record);
    const done = index + 1;
    if (done % PROGRESS_EVERY === 0 && done < records.length) {
      process.stderr.write(`[${name}] ${done}/${records.length} briefed (${seconds()} s)\n`);
    }
  }
  process.stderr.write(`[${name}] ${records.length}/${records.length} briefed (${seconds()} s)\n`);
}

/** Counts notes by kind, every kind listed (zero included), unknown kinds after them. */
function tally(notes: Record<string, number>, list: readonly Note[]): void {
  for (const kind of KINDS) notes[kind] ??= 0;
  for (const note of list) notes[note.kind] = (notes[note.kind] ?? 0) + 1;
}

function perThousand(notes: Record<string, number>, words: number): Record<string, number> {
  const entries = Object.entries(notes).map(([kind, count]) => [kind, rate(count, words)]);
  return Object.fromEntries(entries) as Record<string, number>;
}

const rate = (count: number, words: number) => (words > 0 ? (1000 * count) / words : 0);
const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const harmonic = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const mean = (values: readonly number[]) =>
  values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;

/** Every verified citation must be its own slice of the normalized text; counts those not. */
function offsetMismatches(notes: readonly Note[], text: string): number {
  return notes
    .flatMap((note) => note.citations)
    .filter((c) => c.verified && (c.start === null || text.slice(c.start, c.end ?? 0) !== c.quote))
    .length;
}

function exampleOf(record: string, note: Note, label: string): Example {
  const quote = note.citations.find((citation) => citation.verified)?.quote ?? '';
  return { record, kind: note.kind, label, claim: note.claim, quote };
}

async function runBabe(
  session: Session,
  records: readonly BabeRecord[],
  examples: Example[],
): Promise<CorpusReport> {
  const labelled = records.filter(
    (record) => typeof record.biased === 'boolean' && Array.isArray(record.biasedWords),
  );
  const notes: Record<string, number> = {};
  const counts = {
    truePositive: 0,
    falsePositive: 0,
    falseNegative: 0,
    trueNegative: 0,
    flaggedTerms: 0,
    flaggedTermsAmongBiasedWords: 0,
    multiWordTerms: 0,
    unlocatedTerms: 0,
    citationOffsetMismatches: 0,
  };
  let words = 0;
  let failed = 0;
  await eachRecord('babe', labelled, async (record) => {
    const answer = await brief(session, record.text);
    if (!answer) return void failed++;
    const text = normalizeText(record.text);
    const list = answer.brief!.counterPerspectives;
    words += wordCount(text);
    tally(notes, list);
    counts.citationOffsetMismatches += offsetMismatches(list, text);
    const loaded = list.filter((note) => note.kind === 'loaded_language');
    const flagged = loaded.length > 0;
    if (flagged && record.biased) counts.truePositive++;
    else if (flagged) counts.falsePositive++;
    else if (record.biased) counts.falseNegative++;
    else counts.trueNegative++;
    const expert = new Set(wordsOf(record.biasedWords.join(' ')));
    for (const note of loaded) {
      const { term, occurrences } = flaggedTerm(note, text);
      const termWords = wordsOf(term);
      const match = termWords.some((word) => expert.has(word));
      counts.flaggedTerms++;
      if (match) counts.flaggedTermsAmongBiasedWords++;
      if (termWords.length > 1) counts.multiWordTerms++;
      if (occurrences.length === 0) counts.unlocatedTerms++;
      if (!record.biased) examples.push(exampleOf(record.id, note, 'sentence not biased'));
      else if (!match) examples.push(exampleOf(record.id, note, 'term not an expert word'));
    }
  });
  const precision = ratio(counts.truePositive, counts.truePositive + counts.falsePositive);
  const recall = ratio(counts.truePositive, counts.truePositive + counts.falseNegative);
  const share = ratio(counts.flaggedTermsAmongBiasedWords, counts.flaggedTerms);
  return {
    name: 'BABE',
    records: labelled.length,
    briefed: labelled.length - failed,
    failed,
    words,
    notes,
    perThousandWords: perThousand(notes, words),
    counts,
    metrics: [
      {
        label: 'precision: sentence has a loaded_language note vs expert `biased`',
        value: precision,
        detail: `${counts.truePositive} of ${counts.truePositive + counts.falsePositive}`,
        target: { atLeast: 0.85 },
      },
      {
        label: 'recall of biased sentences',
        value: recall,
        detail: `${counts.truePositive} of ${counts.truePositive + counts.falseNegative}`,
        target: { atLeast: 0.35 },
      },
      { label: 'F1', value: harmonic(precision, recall) },
      {
        label: "flagged terms among the experts' `biasedWords`",
        value: share,
        detail: `${counts.flaggedTermsAmongBiasedWords} of ${counts.flaggedTerms}`,
        target: { atLeast: 0.65 },
      },
    ],
    footnotes: [
      `${counts.truePositive + counts.falseNegative} of ${labelled.length} sentences are ` +
        `labelled biased; ${counts.multiWordTerms} flagged terms have more than one word, ` +
        `${counts.unlocatedTerms} were not found in a verified citation (then the claim's ` +
        `first quoted string is used).`,
      'A term is among the biased words when one of its words (lower-cased, letters and ' +
        "digits) is a word of the sentence's `biasedWords`.",
      TERM_DEFINITION,
    ],
  };
}

async function runBasil(
  session: Session,
  records: readonly BasilRecord[],
  examples: Example[],
): Promise<CorpusReport> {
  const notes: Record<string, number> = {};
  const counts = {
    loadedNotes: 0,
    loadedNotesRight: 0,
    unlocatedTerms: 0,
    falsePositivesInQuotedLexSpan: 0,
    falsePositivesInInformationalSpan: 0,
    falsePositivesInNoSpan: 0,
    authorLexSpans: 0,
    authorLexSpansFound: 0,
    spansSameOffsets: 0,
    spansMapped: 0,
    spansSearched: 0,
    spansLost: 0,
    documentsChangedByNormalization: 0,
    citationOffsetMismatches: 0,
  };
  let words = 0;
  let failed = 0;
  await eachRecord('basil', records, async (record) => {
    const answer = await brief(session, record.document, record.title);
    if (!answer) return void failed++;
    const text = normalizeText(record.document);
    if (text !== record.document) counts.documentsChangedByNormalization++;
    const map = offsetMap(record.document, text);
    const spans = record.spans.map((span) => {
      const mapped = mapSpan(span, text, map);
      if (mapped.how === 'same') counts.spansSameOffsets++;
      else if (mapped.how === 'mapped') counts.spansMapped++;
      else if (mapped.how === 'searched') counts.spansSearched++;
      else counts.spansLost++;
      return { ...span, at: mapped.span };
    });
    const located = (test: (span: (typeof spans)[number]) => boolean) =>
      spans.filter((span) => span.at !== null && test(span)).map((span) => span.at!);
    const authorLex = located((span) => span.bias === 'lex' && !span.inQuote);
    const quotedLex = located((span) => span.bias === 'lex' && span.inQuote);
    const informational = located((span) => span.bias === 'inf');
    const list = answer.brief!.counterPerspectives;
    words += wordCount(text);
    tally(notes, list);
    counts.citationOffsetMismatches += offsetMismatches(list, text);
    const flagged: Span[] = [];
    for (const note of list) {
      if (note.kind !== 'loaded_language') {
        examples.push(exampleOf(record.id, note, 'no label for this kind'));
        continue;
      }
      const { term, occurrences } = flaggedTerm(note, text);
      counts.loadedNotes++;
      if (occurrences.length === 0) counts.unlocatedTerms++;
      flagged.push(...occurrences);
      const within = (gold: Span[]) => occurrences.some((o) => gold.some((s) => inside(o, s)));
      if (within(authorLex)) {
        counts.loadedNotesRight++;
        continue;
      }
      let label = 'in no bias span';
      if (within(quotedLex)) {
        counts.falsePositivesInQuotedLexSpan++;
        label = 'in a quoted lexical-bias span';
      } else if (within(informational)) {
        counts.falsePositivesInInformationalSpan++;
        label = 'in an informational-bias span';
      } else {
        counts.falsePositivesInNoSpan++;
      }
      examples.push({ ...exampleOf(record.id, note, label), claim: `term "${term}"` });
    }
    counts.authorLexSpans += authorLex.length;
    counts.authorLexSpansFound += authorLex.filter((s) => flagged.some((o) => inside(o, s))).length;
  });
  const precision = ratio(counts.loadedNotesRight, counts.loadedNotes);
  const recall = ratio(counts.authorLexSpansFound, counts.authorLexSpans);
  return {
    name: 'BASIL',
    records: records.length,
    briefed: records.length - failed,
    failed,
    words,
    notes,
    perThousandWords: perThousand(notes, words),
    counts,
    metrics: [
      {
        label: 'precision: loaded_language term inside an author-voice lexical-bias span',
        value: precision,
        detail: `${counts.loadedNotesRight} of ${counts.loadedNotes}`,
        target: { atLeast: 0.3 },
      },
      {
        label: 'recall: author-voice lexical-bias spans holding a flagged term',
        value: recall,
        detail: `${counts.authorLexSpansFound} of ${counts.authorLexSpans}`,
        target: { atLeast: 0.15 },
      },
      { label: 'F1', value: harmonic(precision, recall) },
    ],
    footnotes: [
      `Wrong loaded_language notes: ${counts.falsePositivesInQuotedLexSpan} inside a quoted ` +
        `lexical-bias span, ${counts.falsePositivesInInformationalSpan} inside an ` +
        `informational-bias span, ${counts.falsePositivesInNoSpan} in no span; ` +
        `${counts.unlocatedTerms} notes had no locatable term (counted wrong).`,
      `Span offsets: ${counts.documentsChangedByNormalization} of ${records.length} documents ` +
        `change under normalization; spans ${counts.spansSameOffsets} unchanged, ` +
        `${counts.spansMapped} mapped, ${counts.spansSearched} found by search, ` +
        `${counts.spansLost} lost. A term is right when it lies wholly inside a span.`,
      TERM_DEFINITION,
    ],
  };
}

async function runNeutral(
  session: Session,
  records: readonly BillRecord[],
  examples: Example[],
): Promise<CorpusReport> {
  const notes: Record<string, number> = {};
  const counts = { judgementNotes: 0, citationOffsetMismatches: 0 };
  const keys = ['rouge1', 'rouge2', 'rougeL'] as const;
  const scores = {
    ownLength: { brief: [[], [], []], lead: [[], [], []] } as Record<string, number[][]>,
    referenceLength: { brief: [[], [], []], lead: [[], [], []] } as Record<string, number[][]>,
  };
  const add = (into: number[][], candidate: string, reference: string) => {
    const result = rouge(candidate, reference);
    keys.forEach((key, index) => {
      into[index]!.push(100 * result[key].f1);
    });
  };
  const summaryWords: number[] = [];
  const referenceWords: number[] = [];
  let words = 0;
  let failed = 0;
  await eachRecord('neutral', records, async (record) => {
    const answer = await brief(session, record.document, record.title);
    if (!answer) return void failed++;
    const text = normalizeText(record.document);
    const list = answer.brief!.counterPerspectives;
    words += wordCount(text);
    tally(notes, list);
    counts.citationOffsetMismatches += offsetMismatches(list, text);
    for (const note of list) {
      if (JUDGEMENT_KINDS.has(note.kind)) counts.judgementNotes++;
      examples.push(exampleOf(record.id, note, 'neutral text'));
    }
    const summary = answer.brief!.summary;
    const own = wordCount(summary);
    const reference = wordCount(record.summary);
    summaryWords.push(own);
    referenceWords.push(reference);
    add(scores.ownLength.brief!, summary, record.summary);
    add(scores.ownLength.lead!, firstWords(text, own), record.summary);
    add(scores.referenceLength.brief!, firstWords(summary, reference), record.summary);
    add(scores.referenceLength.lead!, firstWords(text, reference), record.summary);
  });
  const averages = (lists: number[][]) => lists.map((list) => mean(list));
  const [briefOwn, leadOwn] = [averages(scores.ownLength.brief!), averages(scores.ownLength.lead!)];
  const briefReference = averages(scores.referenceLength.brief!);
  const leadReference = averages(scores.referenceLength.lead!);
  const triple = (values: number[]) => values.map((value) => value.toFixed(1)).join(' / ');
  const rougeFigures = {
    ownLength: { brief: briefOwn, lead: leadOwn },
    referenceLength: { brief: briefReference, lead: leadReference },
  };
  return {
    name: 'Neutral (BillSum)',
    records: records.length,
    briefed: records.length - failed,
    failed,
    words,
    notes,
    perThousandWords: perThousand(notes, words),
    counts: {
      ...counts,
      summaryWordsMean: mean(summaryWords),
      referenceWordsMean: mean(referenceWords),
      ...Object.fromEntries(
        Object.entries(rougeFigures).flatMap(([cut, sides]) =>
          Object.entries(sides).flatMap(([side, values]) =>
            keys.map((key, index) => [`${cut}.${side}.${key}`, values[index]!]),
          ),
        ),
      ),
    },
    metrics: [
      {
        label: 'judgement notes per 1,000 words',
        value: rate(counts.judgementNotes, words),
        detail: `${counts.judgementNotes} notes`,
        target: { atMost: 0.3 },
      },
      {
        label: 'R-1 of own summary − LEAD at the same length',
        value: briefOwn[0]! - leadOwn[0]!,
        detail: `${triple(briefOwn)} vs LEAD ${triple(leadOwn)} (R-1 / R-2 / R-L)`,
        target: { atLeast: 2 },
      },
      {
        label: 'R-L of own summary − LEAD at the same length',
        value: briefOwn[2]! - leadOwn[2]!,
        target: { above: 0 },
      },
      {
        label: "R-1 at the reference's length: summary − LEAD",
        value: briefReference[0]! - leadReference[0]!,
        detail: `${triple(briefReference)} vs LEAD ${triple(leadReference)}`,
      },
    ],
    footnotes: [
      'Judgement notes: loaded_language, rhetorical_technique, disputed_claim, missing_context.',
      `ROUGE F1 × 100, mean over bills (plain: lower-cased, no stemming, ROUGE-L over the whole ` +
        `summary). The brief's summaries average ${mean(summaryWords).toFixed(1)} words, the ` +
        `references ${mean(referenceWords).toFixed(1)}; LEAD is the bill's first words, cut at ` +
        "the same number of whitespace-separated words; at the reference's length a summary " +
        'shorter than the reference stays whole.',
    ],
  };
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

/** The target in words and whether the value meets it (null: no target). */
function checkTarget(metric: Metric): { targetText: string; met: boolean | null } {
  const bound = metric.target;
  if (!bound) return { targetText: '', met: null };
  if (bound.atLeast !== undefined) {
    return { targetText: `≥ ${bound.atLeast}`, met: metric.value >= bound.atLeast };
  }
  if (bound.atMost !== undefined) {
    return { targetText: `≤ ${bound.atMost}`, met: metric.value <= bound.atMost };
  }
  return { targetText: `> ${bound.above}`, met: metric.value > bound.above! };
}

function markdown(report: CorpusReport, promptRefs: string): string {
  const lines = [
    `## ${report.name}`,
    '',
    `Prompt ${promptRefs}; ${report.records.toLocaleString('en-US')} records, ` +
      `${report.briefed.toLocaleString('en-US')} briefed (${report.failed} failed), ` +
      `${report.words.toLocaleString('en-US')} words.`,
    '',
    '| notes by kind | notes | per record | per 1,000 words |',
    '|---|---:|---:|---:|',
  ];
  const total = Object.values(report.notes).reduce((sum, count) => sum + count, 0);
  const row = (kind: string, count: number) =>
    `| ${kind} | ${count.toLocaleString('en-US')} | ${ratio(count, report.briefed).toFixed(2)} ` +
    `| ${rate(count, report.words).toFixed(2)} |`;
  for (const [kind, count] of Object.entries(report.notes)) lines.push(row(kind, count));
  lines.push(row('**all**', total), '', '| metric | value | | target | met |');
  lines.push('|---|---:|---|---:|:-:|');
  for (const metric of report.metrics) {
    const { targetText, met } = checkTarget(metric);
    const mark = met === null ? '' : met ? '✓' : '✗';
    const value = formatNumber(metric.value);
    lines.push(`| ${metric.label} | ${value} | ${metric.detail ?? ''} | ${targetText} | ${mark} |`);
  }
  lines.push('');
  for (const footnote of report.footnotes) lines.push(`- ${footnote}`);
  const mismatches = report.counts.citationOffsetMismatches ?? 0;
  lines.push(`- Verified citations whose offsets do not give their quote: ${mismatches}.`);
  return `${lines.join('\n')}\n`;
}

/** N examples of each kind, evenly spaced through the corpus so they are not all from one text. */
function printExamples(corpus: string, examples: readonly Example[], perKind: number): void {
  const kinds = [...new Set(examples.map((example) => example.kind))].sort();
  for (const kind of kinds) {
    const all = examples.filter((example) => example.kind === kind);
    const step = Math.max(1, all.length / perKind);
    const picked = Array.from(
      { length: Math.min(perKind, all.length) },
      (_, k) => all[Math.floor(k * step)]!,
    );
    process.stderr.write(`\n### ${corpus} ${kind}: ${picked.length} of ${all.length}\n`);
    for (const example of picked) {
      const claim = squash(example.claim);
      const quote = squash(example.quote);
      const line = `- [${example.record}] (${example.label}) ${claim}\n    cites: ${quote}\n`;
      process.stderr.write(line);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      basil: { type: 'string' },
      babe: { type: 'string' },
      neutral: { type: 'string' },
      prompt: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'string' },
      examples: { type: 'string' },
    },
  });
  if (!values.basil && !values.babe && !values.neutral) {
    throw new Error('name at least one corpus: --basil, --babe or --neutral <file.jsonl>');
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new Error('--limit takes a positive whole number');
  }
  const perKind = values.examples === undefined ? 0 : Number(values.examples);
  if (!(Number.isInteger(perKind) && perKind >= 0)) {
    throw new Error('--examples takes a whole number');
  }
  const folder = mkdtempSync(join(tmpdir(), 'parallax-eval-notes-'));
  const runtime = await createNodeRuntime(
    { DATABASE_PATH: join(folder, 'eval.sqlite'), LOG_LEVEL: 'silent', LLM_PROVIDER: 'local' },
    { promptsDir: fileURLToPath(new URL('../prompts', import.meta.url)) },
  );
  const reports: CorpusReport[] = [];
  const examples = new Map<string, Example[]>();
  // The refs that answered: the report names the server's default when no --prompt is given.
  const refs = new Set<string>();
  const session: Session = { runtime, prompt: values.prompt, refs };
  try {
    const collect = (name: string) => examples.set(name, []).get(name)!;
    if (values.babe) {
      const records = readJsonl<BabeRecord>(values.babe, limit);
      reports.push(await runBabe(session, records, collect('BABE')));
    }
    if (values.basil) {
      const records = readJsonl<BasilRecord>(values.basil, limit);
      reports.push(await runBasil(session, records, collect('BASIL')));
    }
    if (values.neutral) {
      const records = readJsonl<BillRecord>(values.neutral, limit);
      reports.push(await runNeutral(session, records, collect('Neutral')));
    }
  } finally {
    await runtime.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const promptRefs = [...refs].sort().join(', ') || (values.prompt ?? 'default');
  const requested = values.prompt ? '' : ' (the server default)';
  process.stdout.write(`# Offline analyst notes, prompt ${promptRefs}${requested}\n\n`);
  for (const report of reports) process.stdout.write(`${markdown(report, promptRefs)}\n`);
  if (perKind > 0) {
    for (const [corpus, list] of examples) printExamples(corpus, list, perKind);
  }
  if (values.json) {
    const figures = {
      prompt: { requested: values.prompt ?? null, used: [...refs].sort() },
      limit: limit ?? null,
      corpora: Object.fromEntries(
        reports.map((report) => [
          report.name,
          {
            ...report,
            metrics: report.metrics.map((metric) => ({ ...metric, ...checkTarget(metric) })),
          },
        ]),
      ),
    };
    writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  }
}

await main();
