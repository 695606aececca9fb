import type { FC } from 'hono/jsx';
import type { BriefView } from '../../briefs/view.js';
import type { DocumentView } from '../../documents/queries.js';
import type { RelatedDocument } from '../../documents/related.js';
import {
  Alert,
  formatDate,
  ProgressPanel,
  RefreshFallback,
  ShortId,
  STATUS_LABELS,
  TokenField,
  UsageEntry,
} from '../components.js';
import { Layout } from '../layout.js';
import { quotedSpans, spanKey } from '../source-spans.js';
import { BriefContent } from './brief-content.js';
import { SourceText } from './citations.js';

export interface BriefPageProps {
  view: BriefView;
  /** The document with its text; needed once the brief has succeeded. */
  document: DocumentView | null;
  promptRefs: string[];
  tokenNeeded: boolean;
  /** Other documents on the same matter, best first; null when they could not be read, undefined to leave the panel out. */
  related?: RelatedDocument[] | null | undefined;
}

/**
 * One brief: live progress while it runs, the error (and a retry) when it failed, and when it
 * succeeded the brief beside the source text, with a form to compare prompt versions.
 */
export const BriefPage: FC<BriefPageProps> = ({
  view,
  document,
  promptRefs,
  tokenNeeded,
  related,
}) => {
  const title = view.document.title ?? 'Untitled document';
  if (view.status === 'running') {
    return (
      <Layout title={`Working: ${title}`} section="other" head={<RefreshFallback />}>
        <h1>Briefing “{title}”</h1>
        <ProgressPanel brief={view} label="Progress of the brief" />
        <Provenance view={view} />
      </Layout>
    );
  }
  if (view.status === 'failed' || !view.brief || !document?.text) {
    const error = view.error ?? { code: 'internal', message: 'The brief has no result.' };
    return (
      <Layout title={`Failed: ${title}`} section="other">
        <h1>The brief of “{title}” failed</h1>
        <Alert title={`${STATUS_LABELS.failed}: ${error.code}`} message={error.message} />
        <form class="stack" method="post" action={`/briefs/${view.id}/retry`}>
          <TokenField id="retry-token" needed={tokenNeeded} />
          <div>
            <button type="submit">Try again</button>
          </div>
        </form>
        <Provenance view={view} />
        <RelatedPanel documentId={view.document.id} related={related} />
      </Layout>
    );
  }

  const spans = quotedSpans(view.brief, document.text.length);
  const context = {
    spanNumbers: new Map(spans.map((span) => [spanKey(span.start, span.end)!, span.n])),
    pageMap: document.pageMap?.map((page) => page.start) ?? null,
  };
  return (
    <Layout title={view.brief.headline || title} section="other">
      {view.brief.headline && view.brief.headline !== title ? <p class="hint">{title}</p> : null}
      <h1>{view.brief.headline || title}</h1>
      <Provenance view={view} />
      <CompareForm view={view} promptRefs={promptRefs} />
      <div class="brief-grid">
        <div>
          <BriefContent brief={view.brief} context={context} />
          <RelatedPanel documentId={view.document.id} related={related} />
        </div>
        <section aria-labelledby="source-heading">
          <h2 id="source-heading">Source text</h2>
          <p class="hint">Select a quote to highlight it here.</p>
          <SourceText text={document.text} spans={spans} />
        </section>
      </div>
    </Layout>
  );
};

/** Where a brief came from: document, prompt version, provider and model, cost and time. */
const Provenance: FC<{ view: BriefView }> = ({ view }) => (
  <dl class="meta">
    <dt>Status</dt>
    <dd class={`status status-${view.status}`}>{STATUS_LABELS[view.status]}</dd>
    <dt>Document</dt>
    <dd>
      <a href={`/briefs?document=${view.document.id}`}>{view.document.title ?? 'Untitled'}</a>{' '}
      <ShortId id={view.document.id} />
    </dd>
    <dt>Prompt</dt>
    <dd>
      {view.prompt.ref} <ShortId id={view.prompt.sha256} length={10} />
    </dd>
    <dt>Model</dt>
    <dd>
      {view.provider} / {view.model}
      {view.answeredBy && view.answeredBy !== view.model ? ` (answered by ${view.answeredBy})` : ''}
    </dd>
    {view.chunks !== null ? (
      <>
        <dt>Chunks</dt>
        <dd>{view.chunks}</dd>
      </>
    ) : null}
    <UsageEntry usage={view.usage} />
    {view.timings ? (
      <>
        <dt>Took</dt>
        <dd>{(view.timings.totalMs / 1000).toFixed(1)} s</dd>
      </>
    ) : null}
    <dt>Made</dt>
    <dd>{formatDate(view.createdAt)}</dd>
    <dt>Brief id</dt>
    <dd>
      <code>{view.id}</code>
    </dd>
  </dl>
);

/**
 * Other documents in the library on the same event or dispute (src/documents/related.ts), each
 * with a link that reads this document's claims against it on the perspectives page.
 */
const RelatedPanel: FC<{ documentId: string; related: RelatedDocument[] | null | undefined }> = ({
  documentId,
  related,
}) =>
  related === undefined ? null : (
    <section class="related" aria-labelledby="related-heading">
      <h2 id="related-heading">Related documents</h2>
      {related === null ? (
        <p class="hint">The related documents could not be read just now.</p>
      ) : related.length === 0 ? (
        <p class="hint">None yet: no other document in the library is about the same thing.</p>
      ) : (
        <ul class="related-list">
          {related.map((doc) => {
            const shared = [...doc.shared.names, ...doc.shared.figures].slice(0, 4);
            return (
              <li>
                <a href={`/briefs?document=${doc.id}`}>{doc.title ?? <ShortId id={doc.id} />}</a>{' '}
                <span class="score" title="How much the two documents share (0–1)">
                  score {doc.score.toFixed(2)}
                </span>
                {shared.length > 0 ? <p class="hint">Shares {shared.join(', ')}</p> : null}
                <p>
                  <a href={`/perspectives?documents=${documentId},${doc.id}`}>
                    Compare perspectives
                    <span class="visually-hidden"> with {doc.title ?? 'this document'}</span>
                  </a>
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );

/** Opens the compare page for this document with two prompt versions (a GET: nothing runs until asked). */
const CompareForm: FC<{ view: BriefView; promptRefs: string[] }> = ({ view, promptRefs }) => {
  const other = promptRefs.find((ref) => ref !== view.prompt.ref) ?? view.prompt.ref;
  return (
    <form class="row notice" method="get" action="/compare" aria-label="Compare prompt versions">
      <input type="hidden" name="document" value={view.document.id} />
      <input type="hidden" name="provider" value={view.provider} />
      <input type="hidden" name="model" value={view.model} />
      <div class="field">
        <label for="compare-a">Compare version</label>
        <select id="compare-a" name="a">
          {promptRefs.map((ref) => (
            <option value={ref} selected={ref === other}>
              {ref}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="compare-b">with version</label>
        <select id="compare-b" name="b">
          {promptRefs.map((ref) => (
            <option value={ref} selected={ref === view.prompt.ref}>
              {ref}
            </option>
          ))}
        </select>
      </div>
      <div>
        <button type="submit" class="secondary">
          Compare
        </button>
      </div>
    </form>
  );
};
