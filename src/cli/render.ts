import type { BriefView, Comparison, PerspectivesView, Schemas } from '../client/index.js';
import { pageOf } from '../ingest/pages.js';
import { costLabel } from '../llm/prices.js';

const NOTE_TITLES: Record<string, string> = {
  disputed_claim: 'Disputed claims',
  unverified_figure: 'Figures resting on one source',
  missing_perspective: 'Missing perspectives',
  loaded_language: 'Loaded language',
  missing_context: 'Missing context',
  rhetorical_technique: 'Rhetorical techniques',
};

/**
 * A brief as text for a terminal: headline, provenance (with the estimated cost of its calls),
 * summary, key points with quotes, notes by kind. With the document's page map (a PDF), each
 * found quote names its page.
 */
export function renderBrief(view: BriefView, pageMap: readonly number[] | null = null): string {
  const quotes = (
    citations: Schemas['Brief']['keyPoints'][number]['citations'],
    indent: string,
  ): string[] =>
    citations.map((citation) => {
      const page = pageOf(pageMap, citation.start);
      return `${indent}${citation.verified ? '✓' : '✗'} "${citation.quote}"${citation.verified ? (page ? ` (p. ${page})` : '') : ' (not found in the source)'}`;
    });
  const brief = view.brief;
  const provenance = [
    view.document.title,
    view.prompt.ref,
    `${view.provider}/${view.model}`,
    cost(view.usage, view.cached),
    view.chunks === null ? null : `${view.chunks} chunk(s)`,
    view.cached ? 'cached' : null,
    view.id,
  ]
    .filter(Boolean)
    .join(' · ');
  if (!brief)
    return `${provenance}\n${view.status}${view.error ? `: ${view.error.message}` : ''}\n`;
  const lines = [brief.headline, provenance, '', 'Summary', `  ${brief.summary}`, '', 'Key points'];
  brief.keyPoints.forEach((point, index) => {
    lines.push(`  ${index + 1}. ${point.text}`, ...quotes(point.citations, '     '));
  });
  lines.push('', 'Notes');
  if (brief.counterPerspectives.length === 0) lines.push('  (none)');
  const kinds = [...new Set(brief.counterPerspectives.map((note) => note.kind))];
  for (const kind of kinds) {
    lines.push(`  ${NOTE_TITLES[kind] ?? kind}`);
    for (const note of brief.counterPerspectives.filter((item) => item.kind === kind)) {
      lines.push(
        `    - ${note.note}`,
        `      claim: ${note.claim}`,
        `      perspective: ${note.perspective}`,
        ...quotes(note.citations, '      '),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What a run's calls cost: a brief from the cache cost that when it was made, and nothing now. */
function cost(usage: Schemas['Usage'] | null, cached: boolean): string | null {
  if (!usage) return null;
  const label = costLabel(usage.cost);
  return cached && usage.cost.source !== 'free' ? `${label} when made` : label;
}

const percent = (value: number | null) => (value === null ? '–' : `${Math.round(value * 100)}%`);
const count = (counts: Record<string, number>) =>
  ['kept', 'changed', 'added', 'dropped']
    .map((status) => `${status} ${counts[status] ?? 0}`)
    .join(' · ');

/** A comparison as text: the summary diff ([-removed-] {+added+}), item counts and metrics side by side. */
export function renderComparison(comparison: Comparison): string {
  const { a, b, metrics, rouge } = comparison;
  const diff = comparison.summaryDiff
    .map((part) =>
      part.type === 'equal'
        ? part.text
        : part.type === 'added'
          ? `{+${part.text}+}`
          : `[-${part.text}-]`,
    )
    .join('');
  const rows: [string, (m: Comparison['metrics']['a']) => string][] = [
    ['summary words', (m) => String(m.words)],
    [
      'compression',
      (m) => (m.compressionRatio === null ? '–' : `${m.compressionRatio.toFixed(1)}×`),
    ],
    ['key points', (m) => String(m.keyPoints)],
    ['citations verified', (m) => `${percent(m.citationsVerified)} of ${m.citations}`],
    ['coverage', (m) => percent(m.coverage)],
    ['loaded language', (m) => percent(m.loadedRate)],
    ['notes', (m) => String(m.notes)],
    ['calls (cached)', (m) => `${m.calls} (${m.cachedCalls})`],
    ['tokens', (m) => String(m.tokens)],
    ['latency', (m) => (m.latencyMs === null ? '–' : `${Math.round(m.latencyMs)} ms`)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const column = Math.max(a.prompt.ref.length, 14);
  return [
    `${comparison.document.title ?? comparison.document.id}: ${a.prompt.ref} (${a.id}) → ${b.prompt.ref} (${b.id})`,
    '',
    'Summary diff ([-only in a-] {+only in b+})',
    `  ${diff}`,
    '',
    `Key points  ${count(comparison.counts.keyPoints)}`,
    ...comparison.keyPoints.map((match) => matchLine(match, (point) => point.text)),
    '',
    `Notes       ${count(comparison.counts.notes)}`,
    ...Object.entries(comparison.notes).flatMap(([kind, matches]) => [
      `  ${kind.replaceAll('_', ' ')}`,
      ...matches.map((match) => matchLine(match, (note) => note.claim, '  ')),
    ]),
    '',
    `${''.padEnd(width)}  ${a.prompt.ref.padEnd(column)}  ${b.prompt.ref}`,
    ...rows.map(
      ([label, value]) =>
        `${label.padEnd(width)}  ${value(metrics.a).padEnd(column)}  ${value(metrics.b)}`,
    ),
    '',
    `ROUGE F1 of b against a: R-1 ${rouge.rouge1.f1.toFixed(3)} · R-2 ${rouge.rouge2.f1.toFixed(3)} · R-L ${rouge.rougeL.f1.toFixed(3)}`,
    '',
  ].join('\n');
}

/** One paired item: its mark, then b's text (a's when b dropped it, and a's too when it changed). */
function matchLine<T>(
  match: { status: string; a: T | null; b: T | null },
  text: (item: T) => string,
  indent = '',
): string {
  const mark = match.status.padEnd(7);
  if (match.status === 'changed' && match.a && match.b)
    return `${indent}  ${mark}  ${text(match.b)}\n${indent}  ${''.padEnd(7)}  (was: ${text(match.a)})`;
  const item = match.b ?? match.a;
  return `${indent}  ${mark}  ${item ? text(item) : ''}`;
}

/** A quote with its mark: ✓ found in its document, ✗ not (and said so). */
const quoted = (citation: { quote: string; verified: boolean }) =>
  citation.verified
    ? `✓ "${citation.quote}"`
    : `✗ "${citation.quote}" (quote not found in the document)`;

/**
 * Perspectives as text: per document (by title, else the name in `names`, else its id), each
 * claim's quote and under it how each other document answers it — its mark, name, quote and
 * note; the documents silent on a claim on one line.
 */
export function renderPerspectives(
  view: PerspectivesView,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const name = (id: string) =>
    view.documents.find((document) => document.id === id)?.title ??
    names.get(id) ??
    id.slice(0, 12);
  const claims = view.result?.claims ?? [];
  const marks = claims.flatMap((claim) => claim.responses.map((response) => response.mark));
  const tally = ['agrees', 'disputes', 'differs', 'silent']
    .map((mark) => `${mark} ${marks.filter((item) => item === mark).length}`)
    .join(' · ');
  const lines = [
    view.documents.map((document) => name(document.id)).join(' ↔ '),
    [
      view.prompt.ref,
      `${view.provider}/${view.model}`,
      cost(view.usage, false),
      `${claims.length} claim(s)`,
      view.id,
    ]
      .filter(Boolean)
      .join(' · '),
    tally,
  ];
  if (!view.result) lines.push('', `${view.status}${view.error ? `: ${view.error.message}` : ''}`);
  for (const document of view.result ? view.documents : []) {
    lines.push('', name(document.id));
    const own = claims.filter((claim) => claim.documentId === document.id);
    if (own.length === 0) lines.push('  (no claims)');
    // Responses line up under their claim's quote, past its number.
    const indent = ' '.repeat(String(own.length).length + 4);
    own.forEach((claim, index) => {
      lines.push(`  ${`${index + 1}.`.padStart(indent.length - 3)} ${quoted(claim.citation)}`);
      const silent: string[] = [];
      for (const response of claim.responses) {
        if (response.mark === 'silent') {
          silent.push(name(response.documentId));
          continue;
        }
        const quote = response.citation ? quoted(response.citation) : '(no quote)';
        lines.push(
          `${indent}${response.mark.padEnd(8)}  ${name(response.documentId)}: ${quote}`,
          `${indent}${''.padEnd(8)}  ${response.note}`,
        );
      }
      if (silent.length > 0) lines.push(`${indent}${'silent'.padEnd(8)}  ${silent.join(', ')}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
