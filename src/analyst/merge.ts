import type { ModelBrief, NoteKind } from '../briefs/schema.js';
import { neutralize } from './lexicon.js';
import type { Settings } from './params.js';
import { cutWords, plainText, relead, summarySubject } from './render.js';
import { trimEndWhile } from './scan.js';
import { countWords, wordsOf } from './words.js';

/**
 * The reduce stage: partial briefs (in document order) merged into one.
 *
 * Partials carry no scores, so summary sentences and key points are re-ranked together: each
 * unit is scored by its similarity to the centroid of all units (what the partials agree is
 * central) and by document position, near-duplicates are dropped, and the chosen units are
 * printed in document order. Notes about one subject are merged; notes about an actor that
 * another partial shows speaking are dropped (their `perspective` starts with the actor's name).
 */
type Note = ModelBrief['counterPerspectives'][number];

interface Unit {
  text: string;
  partial: number;
  order: number;
  vector: Map<string, number>;
  score: number;
}

const STOP = new Set(
  'the a an and or but of to in on for with by at from as is are was were be been being it its this that these those which who whom whose has have had not no nor than then there their they them he she his her we our you your i also such into over under about after before between during per will would shall should may might can could must do does did document states argues reports asks according'.split(
    ' ',
  ),
);

export function mergeBriefs(
  partials: readonly ModelBrief[],
  title: string | null,
  settings: Settings,
): ModelBrief {
  const sentences = partials.flatMap((p, partial) =>
    splitSummary(p.summary).map((text, order) => ({ text, partial, order })),
  );
  const chosenSentences = pick(units(sentences, partials.length), settings.summaryWords, null);
  // The first chunk's summary opens with what the document is ("This op-ed by …"): keep it.
  const subject = summarySubject(partials[0]?.summary ?? '') ?? 'The document';
  const summaryParts: string[] = [];
  let words = 0;
  for (const unit of chosenSentences) {
    const remaining = Math.ceil(settings.summaryWords * 1.2) - words;
    if (remaining < 8) break;
    const prose = cutWords(
      relead(unit.text, summaryParts.length === 0 ? subject : 'It'),
      remaining,
    );
    summaryParts.push(prose);
    words += countWords(prose);
  }

  const points = partials.flatMap((p, partial) =>
    p.keyPoints.map((point, order) => ({ text: point.text, partial, order, point })),
  );
  const pointUnits = units(points, partials.length);
  const chosenPoints = pick(pointUnits, null, settings.maxKeyPoints);
  const keyPoints = chosenPoints.map(
    (unit) => points.find((p) => p.partial === unit.partial && p.order === unit.order)!.point,
  );

  const stakeholders = mergeStakeholders(partials, settings.maxStakeholders);
  const counterPerspectives = mergeNotes(partials, stakeholders, settings);
  const headline = title?.trim()
    ? cutWords(trimEndWhile(neutralize(plainText(title)), /[.:;,]/), 20)
    : (partials[0]?.headline ?? 'Untitled document');
  return {
    headline,
    summary: summaryParts.join(' '),
    keyPoints,
    stakeholders,
    counterPerspectives,
  };
}

/** Our own summaries: every sentence opens with an attribution, which is where we cut. */
export function splitSummary(summary: string): string[] {
  return summary
    .split(/(?<=[.?!…"”'])\s+(?=(?:The document|It)\b)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function units(
  items: ReadonlyArray<{ text: string; partial: number; order: number }>,
  partials: number,
): Unit[] {
  const list = items.map((item) => ({ ...item, vector: termVector(item.text), score: 0 }));
  const centroid = new Map<string, number>();
  for (const unit of list)
    for (const [term, weight] of unit.vector)
      centroid.set(term, (centroid.get(term) ?? 0) + weight);
  for (const unit of list) {
    let dot = 0;
    for (const [term, weight] of unit.vector) dot += weight * (centroid.get(term)! - weight);
    const position = 1 / (1 + (3 * unit.partial) / Math.max(1, partials)) + 0.1 / (1 + unit.order);
    unit.score = dot / Math.max(1, list.length - 1) + 0.3 * position;
  }
  return list;
}

function termVector(text: string): Map<string, number> {
  const vector = new Map<string, number>();
  for (const word of wordsOf(text))
    if (!STOP.has(word.lower) && word.lower.length > 2)
      vector.set(word.lower, (vector.get(word.lower) ?? 0) + 1);
  const norm = Math.hypot(...vector.values()) || 1;
  for (const [term, weight] of vector) vector.set(term, weight / norm);
  return vector;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let sum = 0;
  for (const [term, weight] of a) sum += weight * (b.get(term) ?? 0);
  return sum;
}

/** Best units first, skipping near-duplicates, until the word budget or the count is met. */
function pick(list: Unit[], wordBudget: number | null, count: number | null): Unit[] {
  const ranked = [...list].sort(
    (a, b) => b.score - a.score || a.partial - b.partial || a.order - b.order,
  );
  const chosen: Unit[] = [];
  let words = 0;
  for (const unit of ranked) {
    if (count !== null && chosen.length >= count) break;
    if (wordBudget !== null && words >= wordBudget) break;
    if (chosen.some((c) => cosine(c.vector, unit.vector) > 0.7)) continue;
    const length = countWords(unit.text);
    if (
      wordBudget !== null &&
      chosen.length > 0 &&
      words + length > wordBudget * 1.25 &&
      words > wordBudget * 0.6
    )
      continue;
    chosen.push(unit);
    words += length;
  }
  return chosen.sort((a, b) => a.partial - b.partial || a.order - b.order);
}

function mergeStakeholders(
  partials: readonly ModelBrief[],
  max: number,
): ModelBrief['stakeholders'] {
  const merged = new Map<
    string,
    { value: ModelBrief['stakeholders'][number]; partials: number; first: number }
  >();
  partials.forEach((partial, index) => {
    for (const s of partial.stakeholders) {
      const key = s.name.toLowerCase();
      const current = merged.get(key);
      if (!current) {
        merged.set(key, {
          value: { ...s },
          partials: 1,
          first: index * 1000 + partial.stakeholders.indexOf(s),
        });
        continue;
      }
      current.partials++;
      current.value.representedInDocument ||= s.representedInDocument;
      if (current.value.role === 'named in the document') current.value.role = s.role;
    }
  });
  return [...merged.values()]
    .sort((a, b) => b.partials - a.partials || a.first - b.first)
    .slice(0, Math.max(0, max))
    .map((entry) => entry.value);
}

const KIND_WEIGHT: Record<NoteKind, number> = {
  disputed_claim: 0.8,
  unverified_figure: 0.7,
  missing_perspective: 0.7,
  rhetorical_technique: 0.6,
  missing_context: 0.55,
  loaded_language: 0.5,
};

function mergeNotes(
  partials: readonly ModelBrief[],
  stakeholders: ModelBrief['stakeholders'],
  settings: Settings,
): Note[] {
  const voiced = stakeholders.filter((s) => s.representedInDocument).map((s) => s.name);
  const groups = new Map<string, { note: Note; count: number; first: number }>();
  let position = 0;
  for (const partial of partials) {
    for (const note of partial.counterPerspectives) {
      position++;
      if (!settings.noteKinds.has(note.kind)) continue;
      const aboutActor = note.kind === 'missing_perspective' || note.kind === 'disputed_claim';
      if (aboutActor && voiced.some((name) => note.perspective.startsWith(name))) continue;
      const key = noteKey(note);
      const current = groups.get(key);
      if (!current) {
        groups.set(key, {
          note: { ...note, citations: [...note.citations] },
          count: 1,
          first: position,
        });
        continue;
      }
      current.count++;
      current.note.claim = addCounts(current.note.claim, note.claim);
      for (const citation of note.citations) {
        if (current.note.citations.length >= settings.maxCitationsPerNote) break;
        if (!current.note.citations.some((c) => c.quote === citation.quote))
          current.note.citations.push(citation);
      }
    }
  }
  const byKind = new Map<NoteKind, Array<{ note: Note; score: number; first: number }>>();
  for (const group of groups.values()) {
    const list = byKind.get(group.note.kind) ?? [];
    list.push({
      note: group.note,
      score: KIND_WEIGHT[group.note.kind] + 0.1 * Math.min(5, group.count),
      first: group.first,
    });
    byKind.set(group.note.kind, list);
  }
  const queues = [...byKind.values()]
    .map((list) =>
      list
        .sort((a, b) => b.score - a.score || a.first - b.first)
        .slice(0, settings.maxNotesPerKind),
    )
    .sort((a, b) => b[0]!.score - a[0]!.score || a[0]!.first - b[0]!.first);
  const out: Note[] = [];
  for (let round = 0; out.length < settings.maxNotes && queues.some((q) => q[round]); round++) {
    for (const queue of queues)
      if (queue[round] && out.length < settings.maxNotes) out.push(queue[round]!.note);
  }
  return out;
}

/** Notes on the same word, actor, technique or passage are one note across chunks. */
function noteKey(note: Note): string {
  if (note.kind === 'loaded_language')
    return `${note.kind}:${(/"([^"]+)"/.exec(note.claim)?.[1] ?? note.claim).toLowerCase()}`;
  if (note.kind === 'missing_perspective') return `${note.kind}:${note.perspective}`;
  if (note.kind === 'rhetorical_technique' && !note.claim.startsWith('The document repeats'))
    return `${note.kind}:${note.note}`;
  return `${note.kind}:${note.citations[0]?.quote ?? note.claim}`;
}

/** "(3 mentions)" + "(2 mentions)" → "(5 mentions)"; likewise "(n times)". */
function addCounts(a: string, b: string): string {
  const count = (text: string, unit: string) =>
    Number(
      new RegExp(`\\((\\d+) ${unit}\\)`).exec(text)?.[1] ??
        (unit === 'times' && /"/.test(text) ? 1 : 0),
    );
  for (const unit of ['mentions', 'times']) {
    const total = count(a, unit) + count(b, unit);
    if (new RegExp(`\\(\\d+ ${unit}\\)`).test(a))
      return a.replace(new RegExp(`\\(\\d+ ${unit}\\)`), `(${total} ${unit})`);
    if (unit === 'times' && a.startsWith('The document uses the wording'))
      return a.replace(/\.$/, ` (${total} times).`);
  }
  return a;
}
