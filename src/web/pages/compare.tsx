import type { FC } from 'hono/jsx';
import { NOTE_KINDS, type NoteKind } from '../../briefs/schema.js';
import type { BriefView } from '../../briefs/view.js';
import type { Comparison } from '../../compare/compare.js';
import type { Matched } from '../../compare/match.js';
import type { BriefMetrics } from '../../compare/metrics.js';
import {
  Alert,
  NOTE_KIND_LABELS,
  ProgressPanel,
  RefreshFallback,
  TokenField,
} from '../components.js';
import { Layout } from '../layout.js';

/** One prompt version of the document that is not ready to compare yet. */
export interface PendingSide {
  ref: string;
  /** The newest brief of the document with this version and model, if any. */
  brief: BriefView | null;
}

export type ComparePageProps =
  | { kind: 'done'; comparison: Comparison }
  | {
      kind: 'pending';
      document: { id: string; title: string | null };
      a: string;
      b: string;
      provider: string;
      model: string;
      pending: PendingSide[];
      tokenNeeded: boolean;
    };

const MARK_LABELS: Record<Matched<unknown>['status'], string> = {
  kept: 'Kept',
  changed: 'Changed',
  added: 'Added',
  dropped: 'Dropped',
};

/**
 * Two prompt versions of one document side by side: the summary diff, key points and notes
 * paired and marked kept / changed / added / dropped, and the metrics of both. While a version
 * is missing or running, the page says so and offers to make it.
 */
export const ComparePage: FC<ComparePageProps> = (props) =>
  props.kind === 'pending' ? <Pending {...props} /> : <Compared comparison={props.comparison} />;

const Compared: FC<{ comparison: Comparison }> = ({ comparison }) => {
  const { a, b } = comparison;
  const title = comparison.document.title ?? 'Untitled document';
  return (
    <Layout title={`${a.prompt.ref} vs ${b.prompt.ref}: ${title}`} section="other">
      <p class="hint">{title}</p>
      <h1>
        {a.prompt.ref} vs {b.prompt.ref}
      </h1>
      <div class="sides">
        {(
          [
            ['A', a],
            ['B', b],
          ] as const
        ).map(([side, view]) => (
          <p class="notice">
            <strong>{side}:</strong> <a href={`/briefs/${view.id}`}>{view.prompt.ref}</a> ·{' '}
            {view.provider} / {view.model}
            <br />
            {view.brief?.headline}
          </p>
        ))}
      </div>

      <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">Summary: what changed from A to B</h2>
        <p class="legend">
          <del>Struck through</del>: only in A ({a.prompt.ref}). <ins>Underlined</ins>: only in B (
          {b.prompt.ref}).
        </p>
        {/* Side by side: A's summary with what B dropped struck through, B's with what it added underlined. */}
        <div class="sides" data-testid="summary-diff">
          <div class="diff" data-testid="summary-a">
            <h3 class="side-label">A: {a.prompt.ref}</h3>
            <p>
              {comparison.summaryDiff.map((part) =>
                part.type === 'removed' ? (
                  <del>{part.text}</del>
                ) : part.type === 'equal' ? (
                  part.text
                ) : null,
              )}
            </p>
          </div>
          <div class="diff" data-testid="summary-b">
            <h3 class="side-label">B: {b.prompt.ref}</h3>
            <p>
              {comparison.summaryDiff.map((part) =>
                part.type === 'added' ? (
                  <ins>{part.text}</ins>
                ) : part.type === 'equal' ? (
                  part.text
                ) : null,
              )}
            </p>
          </div>
        </div>
      </section>

      <section aria-labelledby="compare-points-heading">
        <h2 id="compare-points-heading">Key points</h2>
        <Counts counts={comparison.counts.keyPoints} />
        {comparison.keyPoints.map((item) => (
          <Pair item={item} a={a.prompt.ref} b={b.prompt.ref} text={(point) => point.text} />
        ))}
      </section>

      <section aria-labelledby="compare-notes-heading">
        <h2 id="compare-notes-heading">Counter-perspective notes</h2>
        <Counts counts={comparison.counts.notes} />
        {NOTE_KINDS.filter((kind) => comparison.notes[kind]).map((kind: NoteKind) => (
          <>
            <h3>{NOTE_KIND_LABELS[kind]}</h3>
            {comparison.notes[kind]!.map((item) => (
              <Pair
                item={item}
                a={a.prompt.ref}
                b={b.prompt.ref}
                text={(note) => `${note.claim} — ${note.note}`}
              />
            ))}
          </>
        ))}
      </section>

      <section aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Metrics</h2>
        <Metrics
          a={comparison.metrics.a}
          b={comparison.metrics.b}
          refs={[a.prompt.ref, b.prompt.ref]}
        />
        <p class="hint">
          ROUGE of B's summary against A's (F1): ROUGE-1 {percent(comparison.rouge.rouge1.f1)},
          ROUGE-2 {percent(comparison.rouge.rouge2.f1)}, ROUGE-L{' '}
          {percent(comparison.rouge.rougeL.f1)}.
        </p>
      </section>
    </Layout>
  );
};

const Counts: FC<{ counts: Record<Matched<unknown>['status'], number> }> = ({ counts }) => (
  <p class="hint">
    {(Object.keys(MARK_LABELS) as (keyof typeof MARK_LABELS)[])
      .map((status) => `${counts[status]} ${status}`)
      .join(' · ')}
  </p>
);

function Pair<T>({
  item,
  a,
  b,
  text,
}: {
  item: Matched<T>;
  a: string;
  b: string;
  text: (value: T) => string;
}) {
  return (
    <div class={`pair${item.a && item.b ? ' both' : ''}`} data-status={item.status}>
      <p class="head side">
        <span class={`mark mark-${item.status}`}>{MARK_LABELS[item.status]}</span>
      </p>
      {item.a ? (
        <p class="side">
          <strong>A ({a}):</strong> {text(item.a)}
        </p>
      ) : null}
      {item.b ? (
        <p class="side">
          <strong>B ({b}):</strong> {text(item.b)}
        </p>
      ) : null}
    </div>
  );
}

const Metrics: FC<{ a: BriefMetrics; b: BriefMetrics; refs: [string, string] }> = ({
  a,
  b,
  refs,
}) => {
  const rows: [string, (m: BriefMetrics) => string][] = [
    ['Summary words', (m) => String(m.words)],
    [
      'Compression (source ÷ summary words)',
      (m) => (m.compressionRatio === null ? '–' : String(m.compressionRatio)),
    ],
    ['Key points', (m) => String(m.keyPoints)],
    [
      'Quotes found in the source',
      (m) => (m.citationsVerified === null ? '–' : percent(m.citationsVerified)),
    ],
    ['Coverage of the source', (m) => percent(m.coverage)],
    ['Notes', (m) => String(m.notes)],
    ['LLM calls (from cache)', (m) => `${m.calls} (${m.cachedCalls})`],
    ['Tokens', (m) => String(m.tokens)],
  ];
  return (
    <section class="table-wrap" tabindex={0} aria-label="Metrics of both briefs">
      <table>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">A: {refs[0]}</th>
            <th scope="col">B: {refs[1]}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, value]) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{value(a)}</td>
              <td>{value(b)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};

const Pending: FC<Extract<ComparePageProps, { kind: 'pending' }>> = ({
  document,
  a,
  b,
  provider,
  model,
  pending,
  tokenNeeded,
}) => {
  const running = pending.filter((side) => side.brief?.status === 'running');
  const title = document.title ?? 'Untitled document';
  return (
    <Layout
      title={`${a} vs ${b}: ${title}`}
      section="other"
      head={running.length > 0 ? <RefreshFallback /> : undefined}
    >
      <p class="hint">{title}</p>
      <h1>
        {a} vs {b}
      </h1>
      {pending.map((side) =>
        side.brief?.status === 'running' ? (
          <ProgressPanel brief={side.brief} label={`Progress of the ${side.ref} brief`} />
        ) : side.brief?.status === 'failed' ? (
          <Alert
            title={`The ${side.ref} brief failed`}
            message={side.brief.error?.message ?? 'Unknown error'}
          />
        ) : (
          <p class="notice">
            This document has no {side.ref} brief with {provider} / {model} yet.
          </p>
        ),
      )}
      {running.length < pending.length ? (
        <form class="stack" method="post" action="/compare">
          <input type="hidden" name="document" value={document.id} />
          <input type="hidden" name="a" value={a} />
          <input type="hidden" name="b" value={b} />
          <input type="hidden" name="provider" value={provider} />
          <input type="hidden" name="model" value={model} />
          <TokenField id="compare-token" needed={tokenNeeded} />
          <div>
            <button type="submit">
              Make the{' '}
              {pending
                .filter((side) => side.brief?.status !== 'running')
                .map((side) => side.ref)
                .join(' and ')}{' '}
              brief and compare
            </button>
          </div>
        </form>
      ) : null}
    </Layout>
  );
};

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10}%`;
}
