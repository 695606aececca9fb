import { formatUsd } from '../llm/prices.js';
import type { EvalReport } from './report.js';

const pct = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
const num = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? '–' : value.toFixed(digits);

// Reports stored before costs were estimated have no costUsd: shown as –.
const usd = (value: number | null | undefined) =>
  value === undefined ? '–' : value === null ? 'unknown' : formatUsd(value);

/** What the run spent, for the Run line: estimated at the prices of its end. */
function runCost(report: EvalReport): string {
  const cost = report.run.costUsd;
  if (cost === undefined) return '';
  if (report.provider === 'local') return ', free (offline)';
  if (cost === null) return `, cost unknown (no price for "${report.model}": set LLM_PRICES)`;
  return `, est. ${formatUsd(cost)} spent`;
}

/** The readable form of an eval report: aggregate table, then documents, most divergent first. */
export function evalMarkdown(report: EvalReport, maxDocuments = 50): string {
  const refs = report.prompts;
  const lines: string[] = [];
  lines.push(`# Eval ${report.id}`, '');
  lines.push(
    `Corpus \`${report.corpus}\` · ${report.run.documents} documents · ${refs.join(' vs ')} · ${report.provider} / ${report.model} · ${report.createdAt}`,
    '',
  );
  lines.push(
    `Run: ${report.run.briefs} briefs, ${report.run.briefCacheHits} from the brief cache, ${report.run.llmCalls} LLM calls made, ${report.run.cachedCalls} cached calls, ${report.run.failures} failures, ${(report.run.wallMs / 1000).toFixed(1)} s${runCost(report)}.`,
    '',
  );
  const rows: [string, (row: EvalReport['aggregate'][string]) => string][] = [
    ['summary words (mean)', (r) => num(r.words)],
    ['compression (source ÷ summary words)', (r) => num(r.compressionRatio)],
    ['citations verified', (r) => pct(r.citationsVerified)],
    ['coverage (source segments cited)', (r) => pct(r.coverage)],
    ['loaded-language rate of summary', (r) => pct(r.loadedRate)],
    ['key points (mean)', (r) => num(r.keyPoints)],
    ['notes (mean)', (r) => num(r.notes)],
    ...[...new Set(Object.values(report.aggregate).flatMap((r) => Object.keys(r.notesByKind)))].map(
      (kind) =>
        [
          `  notes: ${kind} (total)`,
          (r: EvalReport['aggregate'][string]) => String(r.notesByKind[kind] ?? 0),
        ] as [string, (row: EvalReport['aggregate'][string]) => string],
    ),
    ['pipeline calls (total)', (r) => String(r.llmCalls)],
    ['tokens (total)', (r) => String(r.tokens)],
    ['est. cost of this run (USD)', (r) => (report.provider === 'local' ? 'free' : usd(r.costUsd))],
    ['latency per brief (mean ms)', (r) => num(r.latencyMs)],
    [
      'ROUGE-1 / 2 / L vs reference',
      (r) =>
        r.rougeVsReference
          ? `${num(r.rougeVsReference.rouge1)} / ${num(r.rougeVsReference.rouge2)} / ${num(r.rougeVsReference.rougeL)}`
          : '–',
    ],
    ['failures', (r) => String(r.failures)],
  ];
  lines.push(`| metric | ${refs.join(' | ')} |`, `|---|${refs.map(() => '---:').join('|')}|`);
  for (const [label, cell] of rows)
    lines.push(`| ${label} | ${refs.map((ref) => cell(report.aggregate[ref]!)).join(' | ')} |`);
  lines.push('', '## Documents, most divergent first', '');
  lines.push(
    `| document | divergence | ${refs.map((ref) => `${ref} words / notes / verified`).join(' | ')} |`,
    `|---|---:|${refs.map(() => '---').join('|')}|`,
  );
  for (const doc of report.documents.slice(0, maxDocuments)) {
    const cells = doc.versions.map((v) =>
      v.metrics
        ? `${v.metrics.words} / ${v.metrics.notes} / ${pct(v.metrics.citationsVerified)}`
        : `failed: ${v.error ?? v.status}`,
    );
    lines.push(
      `| ${(doc.title ?? doc.id).replace(/\|/g, '\\|').slice(0, 80)} | ${num(doc.divergence, 3)} | ${cells.join(' | ')} |`,
    );
  }
  if (report.documents.length > maxDocuments)
    lines.push('', `(${report.documents.length - maxDocuments} more in the JSON report)`);
  return `${lines.join('\n')}\n`;
}
