import { findLoaded, type LoadedEntry } from '../lexicon.js';
import { authorsWording, quoteAt, surface, type NoteCandidate, type NoteContext } from './types.js';
import { isAuthorVoice } from '../voice.js';

/**
 * `loaded_language`: one note per lexicon entry the chunk uses (at or above `loadedMinWeight`),
 * with the lexicon's neutral alternative; stronger and more frequent wording ranks first.
 */
export function loadedNotes(context: NoteContext): NoteCandidate[] {
  const found = new Map<
    string,
    { entry: LoadedEntry; hits: Array<{ sentence: number; from: number; to: number }> }
  >();
  context.analysis.sentences.forEach((_sentence, index) => {
    for (const match of findLoaded(context.words[index]!, context.settings.loadedMinWeight)) {
      if (!authorsWording(context, index, match.from, match.to)) continue;
      const record = found.get(match.data.term) ?? { entry: match.data, hits: [] };
      record.hits.push({ sentence: index, from: match.from, to: match.to });
      found.set(match.data.term, record);
    }
  });
  return [...found.values()].map(({ entry, hits }) => {
    const first = hits[0]!;
    const word = surface(context, first.sentence, first.from, first.to);
    const times = hits.length > 1 ? ` (${hits.length} times)` : '';
    const alternative = entry.neutral ? `"${entry.neutral}"` : 'no qualifier at all';
    return {
      kind: 'loaded_language' as const,
      claim: `The document uses the wording "${word}"${times}.`,
      perspective: `A neutral wording: ${alternative}`,
      note: `"${word}" is ${entry.weight >= 3 ? 'strongly charged' : entry.weight === 2 ? 'emotive' : 'evaluative'} wording that frames the subject before the evidence does; a neutral alternative is ${alternative}.`,
      quotes: hits
        .slice(0, context.settings.maxCitationsPerNote)
        .map((h) => quoteAt(context, h.sentence, h.from, h.to)),
      score: 0.3 + 0.15 * entry.weight + Math.min(0.25, 0.08 * (hits.length - 1)),
      position: context.analysis.sentences[first.sentence]!.start,
    };
  });
}

/**
 * `rhetorical_technique` / Repetition (SemEval-2020 Task 11): the same short sentence (a slogan,
 * at most ten words, standing on its own) `repetitionMin` times or more, in the author's own
 * voice. What a
 * document repeats because it must is not a technique: names and titles, references to its
 * own structure ("for purposes of this section", "United States Code"), amendment formulas
 * ("by striking … and inserting"), attributions ("according to the report") and list items.
 */
const STRUCTURAL = new Set(
  (
    'section sections subsection subsections paragraph paragraphs subparagraph clause clauses ' +
    'title chapter part article code act amended amendment amendments striking inserting ' +
    'effective date pursuant according table figure annex appendix schedule u.s.c usc'
  ).split(' '),
);

function isFormula(context: NoteContext, sentence: number, from: number, to: number): boolean {
  const list = context.words[sentence]!;
  const text = context.analysis.text;
  const unit = list.slice(from, to);
  if (unit.some((word) => STRUCTURAL.has(word.lower))) return true;
  if (text.slice(unit[0]!.start, unit.at(-1)!.end).includes('\n')) return true;
  // A name or title repeated is the name, not a slogan, unless it stands as a sentence of its
  // own ("Stop the Line."): a clause needs a word written in lower case.
  if (to - from === list.length) return false;
  return !unit.some((word) => word.lower.length > 3 && /^\p{Ll}/u.test(text[word.start]!));
}
const SLOGAN_WORDS = 10;
/** A sentence, not a labelled list item or a heading run in ("(a) Grants Authorized.--"). */
const SLOGAN = /^(?![([]?(?:\d{1,3}|[a-zA-Z]{1,4})[).\]]\s)[^\n]*[^-—–][.!?]["”’]?$/;

export function repetitionNotes(context: NoteContext): NoteCandidate[] {
  const seen = new Map<string, Array<{ sentence: number; from: number; to: number }>>();
  context.analysis.sentences.forEach((_sentence, index) => {
    const list = context.words[index]!;
    if (list.length < 3) return;
    // A slogan stands as a sentence of its own and is short ("Stop the Line."); a clause
    // repeated inside longer sentences is a formula of the text, not a technique.
    const sentence = context.analysis.sentences[index]!;
    if (
      list.length > SLOGAN_WORDS ||
      sentence.heading ||
      !SLOGAN.test(sentence.text.replace(/^[\s"“`'‘]+/, ''))
    )
      return;
    for (const unit of [{ from: 0, to: list.length }]) {
      if (unit.to - unit.from < 3) continue;
      const key = list
        .slice(unit.from, unit.to)
        .map((w) => w.lower)
        .join(' ');
      const content = list
        .slice(unit.from, unit.to)
        .filter((w) => w.lower.length > 3 && !/^\d/.test(w.lower));
      if (content.length < 2) continue;
      if (isFormula(context, index, unit.from, unit.to)) continue;
      if (!isAuthorVoice(context.voice, index, list[unit.from]!.start, list[unit.to - 1]!.end))
        continue;
      const hits = seen.get(key) ?? [];
      if (hits[hits.length - 1]?.sentence !== index) hits.push({ sentence: index, ...unit });
      seen.set(key, hits);
    }
  });
  const out: NoteCandidate[] = [];
  const claimed = new Set<number>();
  // Longest repeated units first, so a repeated sentence is not reported again clause by clause.
  const repeated = [...seen.entries()]
    .filter(([, hits]) => hits.length >= context.settings.repetitionMin)
    .sort(([a], [b]) => b.length - a.length || (a < b ? -1 : 1));
  for (const [, hits] of repeated) {
    if (hits.every((h) => claimed.has(h.sentence))) continue;
    for (const h of hits) claimed.add(h.sentence);
    const first = hits[0]!;
    const phrase = surface(context, first.sentence, first.from, first.to);
    const quotes = dedupe(
      hits.map((h) => quoteAt(context, h.sentence, h.from, h.to)),
      context.analysis.text,
    );
    out.push({
      kind: 'rhetorical_technique',
      claim: `The document repeats "${phrase}" ${hits.length} times.`,
      perspective: 'Evidence for the point beyond its restatement',
      note: 'Repetition (a persuasion technique in the SemEval-2020 Task 11 taxonomy) makes a message familiar by restating it; the restatements add no evidence.',
      quotes: quotes.slice(0, context.settings.maxCitationsPerNote),
      score: 0.55 + Math.min(0.35, 0.1 * hits.length),
      position: context.analysis.sentences[first.sentence]!.start,
    });
  }
  return out;
}

/** Identical quotes would be one citation twice: keep the first of each text. */
function dedupe(spans: Array<[number, number]>, text: string): Array<[number, number]> {
  const seen = new Set<string>();
  return spans.filter(([s, e]) => {
    const quote = text.slice(s, e);
    if (seen.has(quote)) return false;
    seen.add(quote);
    return true;
  });
}
